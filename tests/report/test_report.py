"""`actlab-report`: the report of a real tiny sweep, of a failed job, of several sweeps."""

import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from helpers import FAST, TINY_MODEL, run_cli

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
                   "num_params", "val_loss_area", "train_loss_area", "model"):  # fmt: skip
        assert runs[column].notna().all(), column

    text = (copy / "report.md").read_text()
    assert "swept: activation; seeds: 1, 2" in text
    by_activation = {}
    for record in records(sweep):
        by_activation.setdefault(record["hparams"]["activation"], []).append(record)
    for activation, group in by_activation.items():
        best = [record["best"]["val/acc"] for record in group]
        losses = [sum(epoch["val/loss"] for epoch in record["history"]) for record in group]
        mean, std = statistics.mean(best), statistics.stdev(best)
        row = next(line for line in text.splitlines() if line.startswith(f"| {activation} |"))
        assert f"| 2 | 2 | {mean:.4g} +- {std:.2g} |" in row
        assert f"{statistics.mean(losses):.4g} +- {statistics.stdev(losses):.2g}" in row
    assert "did not finish" not in text

    for plot in ("val_loss.png", "val_f1.png", "val_acc.png", "train_loss.png"):
        assert (copy / plot).read_bytes().startswith(PNG)
        assert f"![{plot}]({plot})" in text
    assert not (copy / "heatmap.png").exists()  # one axis swept


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
