"""The same config and seed give the same metrics, epoch by epoch, on a CPU."""

import json
from pathlib import Path

from helpers import FAST, TINY_MODEL

from actlab.train import run

RUN = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST, "regularization=dropout"]


def metrics(folder: Path) -> dict:
    """A run's metrics.json without its timings."""
    record = json.loads((folder / "metrics.json").read_text())
    for epoch in record["history"]:
        del epoch["epoch_time_s"]
    return {key: record[key] for key in ("history", "best", "final", "test", "best_epoch")}


def test_two_runs_with_the_same_seed_give_identical_metrics(compose_run, tmp_path: Path) -> None:
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        run(compose_run(*RUN, f"seed={seed}", f"paths.output_dir={tmp_path / name}"))
    first, again, other = (metrics(tmp_path / name) for name in "abc")
    assert first == again
    assert first["history"] != other["history"]  # the seed matters: the check can fail
