"""hydra/launcher=slurm on a real one-node SLURM cluster (conftest.py starts it): a sweep is one
job array; a job past its time limit is requeued and goes on from its own checkpoint; a cancelled
job is recorded as interrupted and continued with resume=true; a DDP job runs as two SLURM tasks;
a failing job costs the others nothing; a stacked sweep runs a task per stack."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import FAST, REPO, TINY_MODEL, run_benchmark, run_cli

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

SWEEP = [
    "-m", "hydra/launcher=slurm_cpu", "data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"],
    *FAST,
]  # fmt: skip


def sweep_folder(tmp_path: Path) -> Path:
    """The one sweep under `tmp_path`."""
    (sweep,) = (tmp_path / "logs" / "multiruns").iterdir()
    return sweep


def records(tmp_path: Path) -> list[dict]:
    """The metrics.json of each job of the sweep under `tmp_path`, by job number."""
    jobs = [path for path in sweep_folder(tmp_path).iterdir() if path.name.isdigit()]
    return [json.loads((job / "metrics.json").read_text()) for job in sorted(jobs, key=job_number)]


def job_number(job: Path) -> int:
    return int(job.name)


def slurm_jobs(tmp_path: Path) -> list[str]:
    """The SLURM job ids (`<array>_<task>`) of the sweep's jobs, from submitit's folders."""
    names = [path.name for path in sweep_folder(tmp_path).glob(".submitit/*_*") if path.is_dir()]
    return sorted(names, key=lambda name: int(name.split("_")[1]))


def submitit_logs(tmp_path: Path) -> str:
    """What every task of every SLURM job of the sweep wrote (submitit's log files)."""
    return "".join(
        path.read_text() for path in sorted(sweep_folder(tmp_path).glob(".submitit/*/*_log.*"))
    )


def epochs(record: dict) -> list[int]:
    return [row["epoch"] for row in record["history"]]


def test_a_sweep_runs_as_one_job_array_and_ends_with_its_table(slurm: str, tmp_path: Path) -> None:
    result = run_cli(*SWEEP, "activation=relu,gelu", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "Waiting for the 2 jobs of SLURM job array" in output
    array = slurm_jobs(tmp_path)[0].split("_")[0]
    assert slurm_jobs(tmp_path) == [f"{array}_0", f"{array}_1"]  # one array, a task per job
    assert [r["hparams"]["activation"] for r in records(tmp_path)] == ["relu", "gelu"]
    assert all(r["status"] == "ok" and epochs(r) == [0, 1] for r in records(tmp_path))
    assert "job  status  best val/acc" in output and output.count("  ok  ") == 2
    # No job accounting on this cluster: sacct is never asked, and said so once.
    assert "job states from squeue alone" in output and output.count("sacct") == 1
    assert "accounting storage is disabled" not in output
    assert "auto-requeueing enabled" not in submitit_logs(tmp_path)  # submitit's requeue alone


def test_a_job_past_its_time_limit_is_requeued_and_continues_from_its_checkpoint(
    slurm: str, tmp_path: Path
) -> None:
    # 100 s of training (Lightning's Timer, kept in the checkpoints) in jobs of 2 minutes that
    # SLURM signals 30 to 90 s after they start (its signal comes up to a minute early).
    result = run_cli(
        *SWEEP, "activation=relu", "trainer.max_epochs=-1", "+trainer.max_time=00:00:01:40",
        "hydra.launcher.timeout_min=2", "hydra.launcher.signal_delay_s=30",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    (record,) = records(tmp_path)
    assert record["status"] == "ok", record["reason"]
    assert "Requeued job" in submitit_logs(tmp_path)
    assert epochs(record) == list(range(len(record["history"])))  # no epoch twice, none missing
    continued = record["continued"]
    assert continued and continued[0]["epoch"] > 0  # from its checkpoint, not from epoch 0
    assert all(c["after"].startswith("interrupted: SIGTERM at step") for c in continued)
    assert [c["epoch"] for c in continued] == sorted(c["epoch"] for c in continued)
    assert record["wall_time_s"] > 100  # every attempt's time: one alone trained < 90 s


def test_a_cancelled_job_is_interrupted_and_continued_with_resume(
    slurm: str, tmp_path: Path
) -> None:
    sweep = [*SWEEP, "activation=relu", "trainer.max_epochs=20,400"]
    process = subprocess.Popen(
        [sys.executable, str(REPO / "train.py"), *sweep],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        found = list(tmp_path.glob("logs/multiruns/*/1/metrics.json"))
        if found and len(json.loads(found[0].read_text())["history"]) >= 2:
            break
        time.sleep(0.5)
    subprocess.run(["scancel", slurm_jobs(tmp_path)[1]], check=True)
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 1, output
    first, cancelled = records(tmp_path)
    assert first["status"] == "ok" and epochs(first) == list(range(20))  # the other job finished
    assert cancelled["status"] == "interrupted"
    assert cancelled["reason"].startswith("SIGTERM at step")
    assert "1 of 2 jobs failed" in output and "interrupted: SIGTERM at step" in output
    assert (sweep_folder(tmp_path) / "1" / "checkpoints" / "interrupted.ckpt").exists()

    again = run_cli(*sweep, "resume=true", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    first_again, continued = records(tmp_path)
    assert first_again == first  # finished: skipped
    assert continued["status"] == "ok" and epochs(continued) == list(range(400))
    assert continued["continued"][0]["after"] == f"interrupted: {cancelled['reason']}"


def test_a_ddp_job_trains_as_two_slurm_tasks(slurm: str, tmp_path: Path) -> None:
    result = run_cli(
        *SWEEP, "trainer=ddp_sim", "hydra.launcher.tasks_per_node=2", "activation=relu",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    (record,) = records(tmp_path)
    assert record["status"] == "ok" and epochs(record) == [0, 1]
    logs = submitit_logs(tmp_path)
    assert "MEMBER: 1/2" in logs and "MEMBER: 2/2" in logs  # SLURM started both processes
    assert "spawned" not in result.stdout + result.stderr + logs


def test_a_failing_job_costs_the_others_nothing(slurm: str, tmp_path: Path) -> None:
    result = run_cli(*SWEEP, "activation=relu", "optimizer.lr=0.01,-1", cwd=tmp_path)
    assert result.returncode == 1
    ok, failed = records(tmp_path)
    assert ok["status"] == "ok" and ok["test"]["test/acc"] > 0.5
    assert failed["status"] == "failed" and "optimizer.lr=-1" in failed["reason"]
    assert "1 of 2 jobs failed" in result.stderr and "job 1 [" in result.stderr


def test_the_slurm_benchmark_runs_at_toy_size(slurm: str) -> None:
    printed = run_benchmark("slurm_sweep.py", "--jobs", "2", "--epochs", "1", "--rounds", "1")
    assert "2 jobs: breast-cancer MLP, 1 epochs each" in printed
    assert "slurm, 1 per CPU" in printed and "overhead of the array per job" in printed


def test_a_stacked_sweep_runs_a_task_per_stack_each_member_its_own_run(
    slurm: str, tmp_path: Path
) -> None:
    result = run_cli(*SWEEP, "seed=1,2,3,4", "hydra/sweeper=stacking", "stack.size=2", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    array = slurm_jobs(tmp_path)[0].split("_")[0]
    assert slurm_jobs(tmp_path) == [f"{array}_0", f"{array}_1"]  # a task per stack
    runs = records(tmp_path)
    assert [r["hparams"]["seed"] for r in runs] == [1, 2, 3, 4]
    assert all(r["status"] == "ok" and epochs(r) == [0, 1] for r in runs)
    assert [Path(r["stacked"]["stack"]).name for r in runs] == ["0", "0", "1", "1"]
