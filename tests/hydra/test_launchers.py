"""Hydra launchers: joblib runs a sweep's jobs in parallel processes; the SLURM configs compose
into actlab's SLURM launcher (tests/slurm/ runs it on a real cluster)."""

import json
from pathlib import Path

import pytest
from helpers import FAST, TINY_MODEL, run_cli
from hydra.utils import instantiate

BREAST_CANCER = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST]


@pytest.mark.slow
def test_a_joblib_sweep_runs_two_jobs_in_parallel_processes(tmp_path: Path) -> None:
    result = run_cli(
        "-m", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", *BREAST_CANCER,
        "activation=relu,elu", "hydra.sweep.dir=sweep", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Joblib.Parallel(n_jobs=2" in result.stdout + result.stderr
    records = [json.loads((tmp_path / "sweep" / j / "metrics.json").read_text()) for j in "01"]
    assert [r["hparams"]["activation"] for r in records] == ["relu", "elu"]
    assert all(r["status"] == "ok" and r["test"]["test/acc"] > 0.5 for r in records)


def test_the_slurm_launcher_config_composes_into_actlabs_launcher(compose_run) -> None:
    cfg = compose_run(
        "hydra/launcher=slurm", "hydra.launcher.partition=gpu", "hydra.launcher.gpus_per_node=4",
        "trainer=ddp", "trainer.devices=4", "hydra.launcher.tasks_per_node=4",
    )  # fmt: skip
    launcher = cfg.hydra.launcher
    assert launcher._target_ == "hydra_plugins.actlab_slurm_launcher.launcher.SlurmLauncher"
    assert (launcher.partition, launcher.gpus_per_node, launcher.tasks_per_node) == ("gpu", 4, 4)
    assert launcher.timeout_min == 240 and launcher.array_parallelism == 32
    assert launcher.max_num_timeout == 3  # a job past its time limit is requeued
    built = type(instantiate(launcher))
    assert (built.__module__, built.__name__) == (
        "hydra_plugins.actlab_slurm_launcher.launcher",
        "SlurmLauncher",
    )


def test_the_cpu_launcher_asks_for_no_gpu(compose_run) -> None:
    launcher = compose_run("hydra/launcher=slurm_cpu").hydra.launcher
    assert launcher._target_ == "hydra_plugins.actlab_slurm_launcher.launcher.SlurmLauncher"
    assert (launcher.gpus_per_node, launcher.cpus_per_task, launcher.mem_gb) == (0, 1, 4)
    assert launcher.partition is None  # the cluster's default partition
