"""`python train.py -m ...`: sweeps through Hydra's launcher, as a user runs them."""

import json
import math
from pathlib import Path

import pytest
from helpers import FAST, TINY_MODEL, run_cli
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from actlab.report.runs import event_folder

BREAST_CANCER = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST]


def job_records(root: Path) -> list[dict]:
    """metrics.json of every job of the one sweep under `root/logs/multiruns`, in job order."""
    (sweep,) = (root / "logs" / "multiruns").iterdir()
    jobs = sorted((job for job in sweep.iterdir() if job.is_dir()), key=lambda job: int(job.name))
    return [json.loads((job / "metrics.json").read_text()) | {"dir": job} for job in jobs]


@pytest.mark.slow
def test_a_multirun_runs_each_job_in_its_own_directory(tmp_path: Path) -> None:
    result = run_cli("-m", *BREAST_CANCER, "activation=relu,elu", "seed=3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = job_records(tmp_path)
    assert [record["dir"].name for record in records] == ["0", "1"]
    assert [record["hparams"]["activation"] for record in records] == ["relu", "elu"]
    # TensorBoard lists each run by what varies in the sweep: 0/relu
    names = [event_folder(record["dir"]).relative_to(record["dir"]) for record in records]
    assert names == [Path("relu"), Path("elu")]
    for record in records:
        assert record["status"] == "ok"
        assert record["test"]["test/acc"] > 0.5
        events = EventAccumulator(str(event_folder(record["dir"]))).Reload()
        for tag in ("val/f1", "val/loss", "train/acc", "train/loss"):  # once an epoch
            assert [event.step for event in events.Scalars(tag)] == [11, 23], tag  # 12 steps
    assert "job  status  best val/acc  test acc" in result.stdout


@pytest.mark.slow
def test_a_diverging_job_leaves_the_other_jobs_results_intact(tmp_path: Path) -> None:
    result = run_cli("-m", *BREAST_CANCER, "optimizer=sgd", "optimizer.lr=0.01,1e6", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    stable, diverged = job_records(tmp_path)
    assert stable["status"] == "ok"
    assert len(stable["history"]) == 2 and stable["test"]["test/acc"] > 0.5
    assert diverged["status"] == "diverged"
    assert diverged["reason"].startswith("training loss became nan at step")
    details = diverged["diverged"]
    assert f"at step {details['step']} (epoch {details['epoch']})" in diverged["reason"]
    assert details["step"] > 0 and math.isfinite(details["last_finite_loss"])
    assert diverged["test"] == {}


@pytest.mark.slow
def test_a_failing_job_is_recorded_and_named_when_the_sweep_ends(tmp_path: Path) -> None:
    result = run_cli("-m", *BREAST_CANCER, "model.dropout=1.5,0.1", cwd=tmp_path)
    assert result.returncode == 1
    failed, finished = job_records(tmp_path)
    assert failed["status"] == "failed"
    assert failed["reason"] == (
        "ConfigError: model.dropout=1.5 is not allowed: it must be a number in [0, 1)"
    )
    assert finished["status"] == "ok" and finished["test"]["test/acc"] > 0.5
    assert "1 of 2 jobs failed" in result.stderr
    assert "job 0 [" in result.stderr and "model.dropout=1.5" in result.stderr


@pytest.mark.slow
def test_an_unknown_activation_fails_before_training_listing_the_choices(tmp_path) -> None:
    result = run_cli("activation=swishh", cwd=tmp_path)
    assert result.returncode == 1
    assert "Could not find 'activation/swishh'" in result.stderr
    assert "Available options in 'activation'" in result.stderr
    for choice in ("relu", "gelu", "swish", "softmax"):
        assert f"\t{choice}\n" in result.stderr
    assert not (tmp_path / "logs").exists()
