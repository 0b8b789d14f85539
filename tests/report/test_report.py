"""`actlab-report`: the report of a real tiny sweep, of a failed job, of several sweeps."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import FAST, TINY_MODEL, run_cli
from scipy import stats

BREAST_CANCER = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST]
PNG = b"\x89PNG\r\n\x1a\n"


def report(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "actlab.cli.report", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def records(sweep_dir: Path) -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(sweep_dir.glob("*/metrics.json"))]


@pytest.mark.slow
def test_the_report_of_a_sweep(sweep: Path, tmp_path: Path) -> None:
    copy = shutil.copytree(sweep, tmp_path / "grid")
    result = report(str(copy))
    assert result.returncode == 0, result.stderr
    runs = pd.read_csv(copy / "report.csv")
    assert len(runs) == 6
    assert sorted(runs.activation.unique()) == ["relu", "sigmoid", "tanh"]
    assert set(runs.seed) == {1, 2} and set(runs.status) == {"ok"}
    for column in ("best_val/acc", "last_val/acc", "best_epoch", "test/acc", "wall_time_s",
                   "num_params", "val_loss_area", "train_loss_area", "model", "tested",
                   "tested_epoch", "epoch_time_s", "activation_params"):  # fmt: skip
        assert runs[column].notna().all(), column
    assert set(runs.tested) == {"best"} and (runs.tested_epoch == runs.best_epoch).all()

    text = (copy / "report.md").read_text()
    assert "6 runs (6 ok); swept: activation; seeds: seed 1, 2. Compared: activation" in text
    assert "Test metrics are of the best validation epoch's weights (test_weights=best)" in text
    by_activation = {}
    for record in records(sweep):
        by_activation.setdefault(record["hparams"]["activation"], []).append(record)
    for activation, group in by_activation.items():
        best = np.array([record["best"]["val/acc"] for record in group])
        low, high = stats.bootstrap(
            (best,), np.mean, rng=np.random.default_rng(0)
        ).confidence_interval
        row = next(line for line in text.splitlines() if line.startswith(f"| {activation} | 2 |"))
        assert f"| 2 | 2 | {best.mean():.4g} [{low:.4g}, {high:.4g}] |" in row
    # Two seeds: no p-value, and one line on how many seeds a verdict needs.
    (verdict,) = [line for line in text.splitlines() if line.startswith("**all runs**")]
    assert (
        "too few seeds for a verdict. With 2 paired seeds Wilcoxon's signed-rank test " in verdict
    )
    assert "(it needs 7): run seed=3,4,5,6,7 for a verdict on" in verdict
    assert verdict.replace("**", "") in result.stdout  # the verdicts on the console too
    assert text.index("## Verdicts") < text.index("## Scores") < text.index("## What each costs")
    assert "did not finish" not in text and "Ranking across cells" not in text

    for plot in ("val_loss.png", "val_f1.png", "val_acc.png", "train_loss.png"):
        assert (copy / plot).read_bytes().startswith(PNG)
        assert f"![{plot}]({plot})" in text
    assert not (copy / "heatmap.png").exists()  # one axis swept
    assert not (copy / "cd_diagram.png").exists()  # one cell
    comparisons = pd.read_csv(copy / "comparisons.csv")
    assert set(comparisons.verdict) == {"too few seeds"} and comparisons.p.isna().all()


@pytest.fixture(scope="module")
def labelled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real sweep: ReLU and softmax as the hidden activation of the breast-cancer MLP (64, 32),
    10 epochs, 6 seeds, each run twice under two labels (tags a and b) that change nothing."""
    root = tmp_path_factory.mktemp("labelled")
    result = run_cli(
        "-m", "data=breast_cancer", "model=mlp", "model.hidden=[64,32]", *FAST,
        "trainer.max_epochs=10", "activation=relu,softmax", "tags=[a],[b]", "seed=0,1,2,3,4,5",
        "hydra/sweeper=stacking", "stack.size=24", "hydra.sweep.dir=labels", cwd=root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return root / "labels"


@pytest.mark.slow
def test_softmax_as_the_hidden_activation_is_reported_worse(labelled: Path, tmp_path: Path) -> None:
    result = report(str(labelled), "--out", str(tmp_path / "report"))
    assert result.returncode == 0, result.stderr
    comparisons = pd.read_csv(tmp_path / "report" / "comparisons.csv")
    assert list(comparisons.tags) == ["a", "b"]  # a cell per label
    assert set(comparisons.activation) == {"softmax"} and set(comparisons.baseline) == {"relu"}
    assert (comparisons["p holm"] < 0.05).all() and set(comparisons.verdict) == {"worse"}
    assert (comparisons.pairs == 6).all() and (comparisons["P(better)"] == 0).all()
    text = (tmp_path / "report" / "report.md").read_text()
    assert (
        "**tags=a**, best val/acc against relu (the best mean), Wilcoxon's signed-rank test, Holm "
        "over 1 comparison, alpha 0.05: softmax is worse than relu." in text
    )
    # Two cells: a ranking, which two cannot test; its diagram all the same.
    assert "Friedman's test needs three values or more" in text
    assert (tmp_path / "report" / "cd_diagram.png").read_bytes().startswith(PNG)
    assert "![cd_diagram.png](cd_diagram.png)" in text


@pytest.mark.slow
def test_two_labels_of_one_config_are_not_distinguishable(labelled: Path, tmp_path: Path) -> None:
    result = report(str(labelled), "--compare", "tags", "--baseline", "a", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    comparisons = pd.read_csv(tmp_path / "comparisons.csv")
    assert list(comparisons.activation) == ["relu", "softmax"]  # a cell per activation
    assert set(comparisons.verdict) == {"not distinguishable"}
    assert "b is not distinguishable from a with 6 seeds." in result.stdout
    bad = report(str(labelled), "--baseline", "gelu", "--out", str(tmp_path / "bad"))
    assert bad.returncode == 2
    assert "--baseline gelu is not a value of activation: relu, softmax" in bad.stderr


@pytest.mark.slow
def test_several_sweeps_are_ranked_together(sweep: Path, tmp_path: Path) -> None:
    narrow = run_cli(
        "-m", "data=breast_cancer", "model=mlp", "model.hidden=[8]", *FAST,
        "activation=relu,tanh,sigmoid", "seed=1,2", "hydra/sweeper=stacking", "stack.size=6",
        "hydra.sweep.dir=narrow",
        cwd=tmp_path,
    )  # fmt: skip
    assert narrow.returncode == 0, narrow.stderr
    result = report(str(sweep), str(tmp_path / "narrow"), "--out", str(tmp_path / "both"))
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "both" / "report.md").read_text()
    assert "swept: activation, model.hidden;" in text  # the two sweeps share no run
    ranking = pd.read_csv(tmp_path / "both" / "ranking.csv")
    assert set(ranking.cell) == {"model.hidden=[16, 8]", "model.hidden=[8]"}
    assert sorted(ranking.groupby("cell")["rank"].sum()) == [6, 6]  # ranks 1, 2, 3 in each
    assert "Friedman's test cannot reach p < 0.05 with 2 cells (it needs 3)." in text
    assert (tmp_path / "both" / "cd_diagram.png").read_bytes().startswith(PNG)


@pytest.mark.slow
def test_failed_and_still_running_jobs_are_listed_not_dropped(tmp_path: Path) -> None:
    result = run_cli(
        "-m", *BREAST_CANCER, "model.dropout=0.1,1.5", "hydra.sweep.dir=mixed", cwd=tmp_path
    )
    assert result.returncode == 1
    sweep = tmp_path / "mixed"
    running = shutil.copytree(sweep / "0", sweep / "2")
    record = json.loads((running / "metrics.json").read_text())
    record |= {"status": "running", "test": {}, "history": record["history"][:1]}
    (running / "metrics.json").write_text(json.dumps(record))

    result = report(str(sweep))
    assert result.returncode == 0, result.stderr
    runs = pd.read_csv(sweep / "report.csv")
    assert list(runs.status) == ["ok", "failed", "running"]
    text = (sweep / "report.md").read_text()
    assert "## Runs that did not finish" in text
    assert "- mixed/1 (model.dropout=1.5): failed: ConfigError: model.dropout=1.5" in text
    assert "- mixed/2 (model.dropout=0.1): running" in text


@pytest.mark.slow
def test_several_sweeps_side_by_side_with_a_heatmap(sweep: Path, tmp_path: Path) -> None:
    other = shutil.copytree(sweep, tmp_path / "again")
    result = report(str(sweep), str(other), "--out", str(tmp_path / "both"))
    assert result.returncode == 0, result.stderr
    runs = pd.read_csv(tmp_path / "both" / "report.csv")
    assert len(runs) == 12 and set(runs.sweep) == {"grid", "again"}
    text = (tmp_path / "both" / "report.md").read_text()
    assert "swept: sweep, activation;" in text
    assert (tmp_path / "both" / "heatmap.png").read_bytes().startswith(PNG)


@pytest.mark.slow
def test_several_sweeps_need_a_folder_for_their_report(sweep: Path) -> None:
    result = report(str(sweep), str(sweep))
    assert result.returncode == 2
    assert "name the folder for their joint report with --out" in result.stderr
    assert "not a directory: nowhere" in report("nowhere").stderr
