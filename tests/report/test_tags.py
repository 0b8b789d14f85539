"""Tags: a run's tags go into its metrics.json and hyper-parameters; a report selects and groups
runs by them."""

import json
from pathlib import Path

import pandas as pd
import pytest
from helpers import FAST, TINY_MODEL

from actlab.cli.report import main as report_main
from actlab.report.write import write_report
from actlab.run.recipe import run


def test_a_runs_tags_are_in_its_record_and_hyper_parameters(compose_run, tmp_path: Path) -> None:
    run(compose_run("data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST, "tags=[a,b]"))
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["tags"] == ["a", "b"] and record["hparams"]["tags"] == "a,b"


def fake_sweep(folder: Path, tags: list[str], accuracies: list[float]) -> Path:
    """A finished sweep's job folders, a metrics.json each (no event files)."""
    for job, accuracy in enumerate(accuracies):
        history = [{"epoch": 0, "val/acc": accuracy, "val/loss": 1 - accuracy}]
        record = {
            "status": "ok", "reason": None, "monitor": "val/acc", "mode": "max",
            "best_epoch": 0, "best": {"val/acc": accuracy}, "final": {"val/acc": accuracy},
            "test": {"test/acc": accuracy}, "num_params": 1, "wall_time_s": 1.0,
            "hparams": {"activation": "relu", "seed": job, "tags": ",".join(tags)},
            "tags": tags, "history": history,
        }  # fmt: skip
        (folder / str(job)).mkdir(parents=True)
        (folder / str(job) / "metrics.json").write_text(json.dumps(record))
    return folder


def test_a_report_selects_runs_by_tag_and_groups_them_by_their_tags(tmp_path: Path) -> None:
    s3 = fake_sweep(tmp_path / "s3", ["s3", "mnist"], [0.9, 0.92])
    s4 = fake_sweep(tmp_path / "s4", ["s4", "mnist"], [0.98, 0.99])
    write_report([s3, s4], tmp_path / "s3_only", tags=["s3"])
    assert set(pd.read_csv(tmp_path / "s3_only" / "report.csv").tags) == {"s3,mnist"}
    write_report([s3, s4], tmp_path / "both", tags=["mnist"])
    text = (tmp_path / "both" / "report.md").read_text()
    # The sweeps share no run: their tags tell them apart, not the sweep.
    assert "swept: tags;" in text
    assert "| s3,mnist | 2 | 2 | 0.91 [0.9, 0.92] |" in text
    assert "| s4,mnist | 2 | 2 | 0.985 [0.98, 0.99] |" in text


def test_a_tag_that_no_run_has_is_refused_by_name(tmp_path: Path, capsys) -> None:
    sweep = fake_sweep(tmp_path / "s3", ["s3"], [0.9])
    with pytest.raises(SystemExit):
        report_main([str(sweep), "--tag", "s9"])
    error = capsys.readouterr().err
    assert "no runs tagged s9 (job folders with metrics.json, debug runs left out) in" in error
