"""`resume=true`: a killed run continues in its folder from its last checkpoint, with continuous
curves; a rerun sweep skips the jobs that finished and continues the others."""

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from helpers import FAST, REPO, TINY_MODEL, run_cli
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
from tensorboard.compat.proto.event_pb2 import SessionLog

from actlab.report.runs import event_folder
from actlab.storage.folders import task_overrides

EPOCHS = 6
STEPS_PER_EPOCH = 364  # breast cancer's training split, one sample a batch
SLOW = [  # batch size 1: an epoch takes about a second, so a kill lands between two
    "data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST, "data.batch_size=1",
    f"trainer.max_epochs={EPOCHS}",
]  # fmt: skip


def kill_when(tmp_path: Path, args: list[str], ready: Callable[[], bool]) -> None:
    """Run `train.py ARGS` in `tmp_path` and SIGKILL it once `ready()` says so."""
    process = subprocess.Popen(
        [sys.executable, str(REPO / "train.py"), *args],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None and not ready():
        time.sleep(0.1)
    assert process.poll() is None, "the run ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def epochs_recorded(tmp_path: Path, record: str, epochs: int) -> Callable[[], bool]:
    """Whether the metrics.json matching the glob `record` in `tmp_path` holds `epochs` epochs."""

    def ready() -> bool:
        found = list(tmp_path.glob(record))
        return bool(found) and len(json.loads(found[0].read_text())["history"]) >= epochs

    return ready


def restarts_logged(run_dir: Path) -> list[int]:
    """The steps of the restart marks in the run's TensorBoard files: from each on, TensorBoard
    hides the points that earlier files logged (SummaryWriter's `purge_step`)."""
    return [
        event.step
        for path in sorted(event_folder(run_dir).glob("events.out.tfevents.*"))
        for event in EventFileLoader(str(path)).Load()
        if event.HasField("session_log") and event.session_log.status == SessionLog.START
    ]


def epochs_logged(run_dir: Path) -> list[int]:
    """The steps of every val/loss point in the run's TensorBoard files (one per epoch)."""
    return [
        event.step
        for event in EventAccumulator(str(event_folder(run_dir))).Reload().Scalars("val/loss")
    ]


@pytest.mark.slow
def test_a_killed_run_resumes_in_its_folder_with_continuous_curves(tmp_path: Path) -> None:
    kill_when(tmp_path, SLOW, epochs_recorded(tmp_path, "logs/runs/*/metrics.json", epochs=2))
    (run_dir,) = (tmp_path / "logs" / "runs").iterdir()
    killed = json.loads((run_dir / "metrics.json").read_text())
    assert killed["status"] == "running" and 2 <= len(killed["history"]) < EPOCHS
    checkpoint = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=False)

    result = run_cli(*SLOW, "resume=true", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [folder.name for folder in (tmp_path / "logs" / "runs").iterdir()] == [run_dir.name]
    record = json.loads((run_dir / "metrics.json").read_text())
    assert record["status"] == "ok"
    assert [row["epoch"] for row in record["history"]] == list(range(EPOCHS))
    steps = epochs_logged(run_dir)
    assert len(steps) == EPOCHS and steps == sorted(set(steps))  # no gap, no duplicate
    # Whether the kill came before or after the last epoch's checkpoint, points logged past it
    # are hidden.
    assert restarts_logged(run_dir) == [checkpoint["global_step"]]
    best = record["history"][record["best_epoch"]]  # found again over epochs of both attempts
    assert record["best"] == {name: value for name, value in best.items() if "val/" in name}
    assert record["best"]["val/acc"] == max(row["val/acc"] for row in record["history"])
    assert record["test"]["test/acc"] > 0.5


@pytest.mark.slow
def test_a_run_killed_mid_epoch_resumes_from_its_step_checkpoint(tmp_path: Path) -> None:
    every_50_steps = [
        *SLOW,
        "callbacks=[default,step_checkpoint]",
        "callbacks.step_checkpoint.every_n_train_steps=50",
    ]
    kill_when(
        tmp_path, every_50_steps, lambda: any(tmp_path.glob("logs/runs/*/checkpoints/last.ckpt"))
    )
    (run_dir,) = (tmp_path / "logs" / "runs").iterdir()
    step = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=False)["global_step"]
    assert step % 50 == 0 and step % STEPS_PER_EPOCH != 0  # saved in the middle of an epoch

    result = run_cli(*every_50_steps, "resume=true", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    record = json.loads((run_dir / "metrics.json").read_text())
    assert record["status"] == "ok"
    assert [row["epoch"] for row in record["history"]] == list(range(EPOCHS))
    steps = epochs_logged(run_dir)
    assert steps == [STEPS_PER_EPOCH * (epoch + 1) - 1 for epoch in range(EPOCHS)]
    assert restarts_logged(run_dir) == [step]


@pytest.mark.slow
def test_a_finished_run_is_skipped(tmp_path: Path) -> None:
    args = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST]
    assert run_cli(*args, cwd=tmp_path).returncode == 0
    (run_dir,) = (tmp_path / "logs" / "runs").iterdir()
    before = (run_dir / "metrics.json").read_text()
    result = run_cli(*args, "resume=true", cwd=tmp_path)
    assert result.returncode == 0 and "finished already (metrics.json says ok): skipped" in (
        result.stdout + result.stderr
    )
    assert (run_dir / "metrics.json").read_text() == before


@pytest.mark.slow
def test_a_rerun_sweep_skips_finished_jobs_and_resumes_the_killed_one(tmp_path: Path) -> None:
    sweep = ["-m", *SLOW, "seed=1,2"]
    kill_when(tmp_path, sweep, epochs_recorded(tmp_path, "logs/multiruns/*/1/metrics.json", 1))
    (sweep_dir,) = (tmp_path / "logs" / "multiruns").iterdir()
    finished = (sweep_dir / "0" / "metrics.json").read_text()
    assert json.loads(finished)["status"] == "ok"

    result = run_cli(*sweep, "resume=true", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [folder.name for folder in (tmp_path / "logs" / "multiruns").iterdir()] == [
        sweep_dir.name
    ]
    assert (sweep_dir / "0" / "metrics.json").read_text() == finished  # skipped, untouched
    resumed = json.loads((sweep_dir / "1" / "metrics.json").read_text())
    assert resumed["status"] == "ok"
    assert [row["epoch"] for row in resumed["history"]] == list(range(EPOCHS))
    steps = epochs_logged(sweep_dir / "1")
    assert len(steps) == EPOCHS and steps == sorted(set(steps))


def test_the_command_is_its_overrides_without_flags_hydras_own_or_resume() -> None:
    argv = ["-m", "seed=1,2", "--config-name=train", "hydra/launcher=joblib", "resume=true",
            "hydra.launcher.n_jobs=2", "+trainer.limit_val_batches=1", "~callbacks.progress_bar",
            "data=mnist"]  # fmt: skip
    assert task_overrides(argv) == [
        "+trainer.limit_val_batches=1", "data=mnist", "seed=1,2", "~callbacks.progress_bar",
    ]  # fmt: skip
