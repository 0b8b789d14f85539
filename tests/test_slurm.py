"""What a run does differently as a SLURM job (`actlab.sweep.slurm`): a requeued job takes up its
run as resume=true does, and Lightning's own SLURM requeue stays off, in SLURM's process
environment. tests/slurm/ continues unfinished runs on a real cluster."""

from pathlib import Path

import pytest
from helpers import FAST, TINY_MODEL
from lightning.fabric.plugins.environments import SLURMEnvironment

from actlab.run.recipe import run
from actlab.sweep.slurm import requeued, slurm_plugins

JOB = {"SLURM_NTASKS": "1", "SLURM_JOB_NAME": "train", "SLURM_JOB_ID": "7", "SLURM_PROCID": "0",
       "SLURM_LOCALID": "0", "SLURM_NODEID": "0", "SLURM_NODELIST": "vm"}  # fmt: skip
"""The environment SLURM gives a batch job's one task."""


@pytest.fixture
def slurm_job(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name, value in JOB.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_a_job_is_requeued_when_slurm_restarted_it(slurm_job: pytest.MonkeyPatch) -> None:
    assert not requeued()
    slurm_job.setenv("SLURM_RESTART_COUNT", "0")
    assert not requeued()
    slurm_job.setenv("SLURM_RESTART_COUNT", "2")
    assert requeued()


def test_under_slurm_the_trainer_gets_slurms_environment_without_lightnings_requeue(
    slurm_job: pytest.MonkeyPatch,
) -> None:
    (environment,) = slurm_plugins()
    assert isinstance(environment, SLURMEnvironment) and not environment.auto_requeue
    slurm_job.delenv("SLURM_NTASKS")
    assert slurm_plugins() == []


def test_a_requeued_job_whose_run_finished_leaves_it_as_it_is(
    slurm_job: pytest.MonkeyPatch, compose_run, tmp_path: Path
) -> None:
    overrides = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST]
    best = run(compose_run(*overrides))
    record = tmp_path / "run" / "metrics.json"
    finished = record.read_text()
    slurm_job.setenv("SLURM_RESTART_COUNT", "1")  # resume is false: SLURM's count says it
    assert run(compose_run(*overrides)) == best
    assert record.read_text() == finished
