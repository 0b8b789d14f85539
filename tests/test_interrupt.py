"""Ctrl-C and SIGTERM stop a run with its state saved and `interrupted` in its metrics.json."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from helpers import FAST, REPO, TINY_MODEL

from actlab.run.recipe import run

LONG_RUN = [
    "data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST, "trainer.max_epochs=100000",
    "hydra.run.dir=run",
]  # fmt: skip


def interrupted_run(tmp_path: Path, signum: int) -> tuple[int, dict]:
    """Start a long run, send it `signum` once it has trained an epoch; its exit status and
    metrics.json."""
    process = subprocess.Popen(
        [sys.executable, str(REPO / "train.py"), *LONG_RUN],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    record_path = tmp_path / "run" / "metrics.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if record_path.exists() and json.loads(record_path.read_text())["history"]:
            break
        time.sleep(0.2)
    process.send_signal(signum)
    status = process.wait(timeout=60)
    return status, json.loads(record_path.read_text())


@pytest.mark.parametrize(
    ("signum", "status", "name"),
    [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 1, "Ctrl-C (SIGINT)")],
)
@pytest.mark.slow
def test_a_signal_saves_the_state_and_records_the_run_as_interrupted(
    tmp_path: Path, signum: int, status: int, name: str
) -> None:
    exit_status, record = interrupted_run(tmp_path, signum)
    assert exit_status == status
    assert record["status"] == "interrupted"
    assert record["reason"].startswith(f"{name} at step ")
    state = torch.load(tmp_path / "run" / "checkpoints" / "interrupted.ckpt", weights_only=False)
    assert state["global_step"] >= 12 * len(record["history"])  # 12 steps an epoch
    assert f"at step {state['global_step']} " in record["reason"]


def test_other_exceptions_save_no_interrupt_checkpoint(compose_run, tmp_path: Path) -> None:
    cfg = compose_run(*LONG_RUN[:-2], "optimizer=sgd", "optimizer.lr=1e6")  # it diverges
    run(cfg)
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["status"] == "diverged"
    checkpoint = tmp_path / "run" / "checkpoints" / "interrupted.ckpt"
    assert cfg.callbacks.interrupt_checkpoint.path == str(checkpoint)  # the callback was on
    assert not checkpoint.exists()
