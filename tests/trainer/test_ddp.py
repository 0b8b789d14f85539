"""`trainer=ddp_sim`: Lightning's DDP path on CPU, two processes sharing each epoch's batches."""

import json
from pathlib import Path

import pytest
import torch
from helpers import FAST, TINY_MODEL, run_cli

BREAST_CANCER = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST]
TRAIN_SAMPLES = 364  # 569 tumours less the 20% test part, less 20% of the rest for validation


@pytest.mark.slow
def test_ddp_sim_trains_in_two_processes_each_on_half_the_batches(tmp_path: Path) -> None:
    result = run_cli("trainer=ddp_sim", *BREAST_CANCER, "hydra.run.dir=run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "GLOBAL_RANK: 0, MEMBER: 1/2" in output and "GLOBAL_RANK: 1, MEMBER: 2/2" in output
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["status"] == "ok" and len(record["history"]) == 2
    assert record["test"]["test/acc"] > 0.5
    checkpoint = torch.load(tmp_path / "run" / "checkpoints" / "last.ckpt", weights_only=False)
    per_process = -(-(TRAIN_SAMPLES // 2) // 32)  # batch 32 on each process's half
    assert checkpoint["global_step"] == 2 * per_process


@pytest.mark.slow
def test_ddp_jobs_train_inside_a_local_sweep_in_spawned_processes(tmp_path: Path) -> None:
    sweep = [
        "-m",
        "trainer=ddp_sim",
        *BREAST_CANCER,
        "optimizer.lr=0.005,0.01",
        "hydra.sweep.dir=s",
    ]
    result = run_cli(*sweep, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert output.count("DDP in a local sweep: the job's processes are spawned (ddp_spawn)") == 2
    assert output.count("GLOBAL_RANK: 1, MEMBER: 2/2") >= 2  # each job, in two processes
    for job in ("0", "1"):
        record = json.loads((tmp_path / "s" / job / "metrics.json").read_text())
        assert record["status"] == "ok" and len(record["history"]) == 2  # as its processes wrote
        assert record["test"]["test/acc"] > 0.5
