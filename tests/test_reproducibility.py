"""The same config and seed give the same metrics, epoch by epoch, on a CPU; and so does a run
stopped at an epoch's end and continued from its checkpoint."""

import json
from pathlib import Path

import pytest
import torch
from helpers import FAST, TINY_MODEL

from actlab.run.recipe import run

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


def test_a_run_continued_from_an_epoch_end_gives_what_it_would_have_uninterrupted(
    compose_run, tmp_path: Path
) -> None:
    """The batch order and the dropout masks after the checkpoint are the uninterrupted run's:
    the checkpoint holds the shuffle state and the random state."""
    run(compose_run(*RUN, "trainer.max_epochs=4", f"paths.output_dir={tmp_path / 'whole'}"))
    halves = tmp_path / "halves"
    run(compose_run(*RUN, "trainer.max_epochs=2", f"paths.output_dir={halves}"))
    last = halves / "checkpoints" / "last.ckpt"
    run(
        compose_run(*RUN, "trainer.max_epochs=4", f"ckpt_path={last}", f"paths.output_dir={halves}")
    )
    whole, continued = metrics(tmp_path / "whole"), metrics(halves)
    assert [row["epoch"] for row in continued["history"]] == [0, 1, 2, 3]
    assert continued == whole


def test_deterministic_mode_trains_and_repeats_itself(
    compose_run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`trainer.deterministic=true`: deterministic algorithms only, cuDNN's benchmark off."""
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)  # Lightning sets it
    benchmark = torch.backends.cudnn.benchmark
    try:
        for name in "ab":
            cfg = compose_run(
                *RUN, "trainer.deterministic=true", f"paths.output_dir={tmp_path / name}"
            )
            assert cfg.trainer.benchmark is False
            run(cfg)
        assert torch.are_deterministic_algorithms_enabled()
    finally:
        torch.use_deterministic_algorithms(False)
        torch.backends.cudnn.benchmark = benchmark
    assert metrics(tmp_path / "a") == metrics(tmp_path / "b")
    assert compose_run(*RUN).trainer.benchmark is True
