"""One folder per command, however close together commands start; one command trains a run."""

import json
import multiprocessing
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from helpers import FAST, REPO, TINY_MODEL
from omegaconf import OmegaConf

from actlab.storage import folders

RUN = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST]


class FrozenClock(datetime):
    """A clock stopped at one second: every command starts in it."""

    @classmethod
    def now(cls, tz: object = None) -> datetime:
        return datetime(2026, 12, 2, 10, 45, 1)


def claim_at_the_same_second(parent: Path, ready: object) -> str:
    """Claim a run folder in `parent` with the clock frozen, once every process is ready."""
    folders.datetime = FrozenClock
    ready.wait()
    return str(folders.claim_new_folder(parent))


def test_commands_in_the_same_second_claim_a_folder_each(tmp_path: Path) -> None:
    parent = tmp_path / "runs"
    with multiprocessing.get_context("fork").Manager() as manager:
        ready = manager.Barrier(8)
        with multiprocessing.get_context("fork").Pool(8) as pool:
            claimed = pool.starmap(claim_at_the_same_second, [(parent, ready)] * 8)
    names = sorted(Path(path).name for path in claimed)
    assert names == ["2026-12-02_10-45-01"] + [f"2026-12-02_10-45-01_{n:03d}" for n in range(1, 8)]
    assert sorted(path.name for path in parent.iterdir()) == names


def test_resume_finds_the_newest_folder_of_the_same_command(tmp_path, monkeypatch) -> None:
    parent = tmp_path / "runs"
    monkeypatch.setattr(folders, "datetime", FrozenClock)
    first, second = folders.claim_new_folder(parent), folders.claim_new_folder(parent)
    for folder in (first, second):
        (folder / ".hydra").mkdir()
        OmegaConf.save(OmegaConf.create(["seed=1"]), folder / ".hydra" / "overrides.yaml")
    found = folders.run_folder(parent, ["seed=1", "resume=true"], resume=True)
    assert found == (second, True)  # ..._001 sorts after the first
    assert folders.run_folder(parent, ["seed=2"], resume=True)[1] is False  # another command


def start(cwd: Path, *args: str) -> subprocess.Popen:
    """`python train.py ARGS` started in `cwd`, its output kept."""
    command = [sys.executable, str(REPO / "train.py"), *args]
    return subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def finish(processes: list[subprocess.Popen]) -> list[str]:
    """Wait for every process to succeed; what each printed."""
    outputs = [process.communicate(timeout=600)[0].decode() for process in processes]
    for process, output in zip(processes, outputs, strict=True):
        assert process.returncode == 0, output
    return outputs


@pytest.mark.slow
def test_eight_commands_started_together_keep_eight_runs(tmp_path: Path) -> None:
    finish([start(tmp_path, *RUN, "trainer.max_epochs=1", f"seed={seed}") for seed in range(8)])
    runs = sorted((tmp_path / "logs" / "runs").iterdir())
    assert len(runs) == 8
    seeds = {OmegaConf.load(run / ".hydra" / "config.yaml").seed for run in runs}
    recorded = {json.loads((run / "metrics.json").read_text())["hparams"]["seed"] for run in runs}
    assert seeds == recorded == set(range(8))
    for run in runs:
        assert json.loads((run / "metrics.json").read_text())["status"] == "ok"


@pytest.mark.slow
def test_three_sweeps_started_together_keep_three_folders(tmp_path: Path) -> None:
    finish([start(tmp_path, "-m", *RUN, "activation=relu,elu", f"seed={s}") for s in (1, 2, 3)])
    sweeps = sorted((tmp_path / "logs" / "multiruns").iterdir())
    assert len(sweeps) == 3
    seeds = set()
    for sweep in sweeps:
        jobs = [json.loads((sweep / job / "metrics.json").read_text()) for job in ("0", "1")]
        assert [job["hparams"]["activation"] for job in jobs] == ["relu", "elu"]
        assert {job["status"] for job in jobs} == {"ok"}
        seeds |= {job["hparams"]["seed"] for job in jobs}
    assert seeds == {1, 2, 3}


@pytest.mark.slow
def test_two_commands_resuming_one_sweep_train_each_job_once(tmp_path: Path) -> None:
    """Both continue the same sweep at once: each job is trained by one of them, the other
    leaves it, and each writes its config and log in a folder of its own."""
    args = ["-m", *RUN, "data.batch_size=1", "activation=relu,elu,selu,gelu"]
    killed = start(tmp_path, *args)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob("logs/multiruns/*/0/metrics.json")):
        assert time.monotonic() < deadline and killed.poll() is None
        time.sleep(0.1)
    killed.kill()
    killed.wait()
    outputs = finish([start(tmp_path, *args, "resume=true") for _ in range(2)])
    (sweep,) = (tmp_path / "logs" / "multiruns").iterdir()
    for job in ("0", "1", "2", "3"):
        record = json.loads((sweep / job / "metrics.json").read_text())
        assert record["status"] == "ok"
        assert [row["epoch"] for row in record["history"]] == [0, 1]
        trained_by = [f"{sweep / job} is being trained by another command" in o for o in outputs]
        assert trained_by.count(True) <= 1, job  # skipped by at most one of the two
        # A log of its own for each of the two commands: for job 0, each beside its config in
        # .hydra/continued/; for the others, the command that started the job and the one that
        # found it started. (The killed command was killed before its first line.)
        logs = list((sweep / job).rglob("train.log"))
        assert len({log.parent for log in logs}) == len(logs) == 2, logs
        if job == "0":
            assert all(log.parent.parent.name == "continued" for log in logs), logs
    skipped = sum(output.count("is being trained by another command") for output in outputs)
    assert skipped >= 1  # they did run at the same time
    for output in outputs:
        assert "job  status  best val/acc" in output  # each waited to give the whole table


def test_a_sweep_record_cut_short_by_its_writer_is_read_again_whole(tmp_path: Path) -> None:
    # Hydra rewrites multirun.yaml in place in each command that continues the sweep.
    path = tmp_path / "multirun.yaml"
    whole = OmegaConf.to_yaml({"hydra": {"overrides": {"task": ["seed=1", "activation=elu"]}}})
    path.write_text(whole[:20])
    threading.Timer(0.3, path.write_text, [whole]).start()
    assert list(folders.sweep_record(path).hydra.overrides.task) == ["seed=1", "activation=elu"]
