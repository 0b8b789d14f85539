"""`placement=gpus`: a sweep's jobs side by side, at most `per_gpu` on each GPU, every GPU used;
tested on CPU with a list of GPUs that the jobs claim but do not train on."""

import json
import multiprocessing
import time
from pathlib import Path

import pytest
from helpers import FAST, TINY_MODEL, run_cli

from actlab.sweep.placement import GPUSlots, gpu_jobs


def job(folder: Path, devices: list[int], per_gpu: int, index: int, log: Path) -> None:
    """Hold a slot for a while, noting the GPU and when; the job `index` 1 fails halfway."""
    with GPUSlots(str(folder), per_gpu, devices).claim(poll_s=0.02) as gpu:
        start = time.monotonic()
        time.sleep(0.2)
        with log.open("a") as file:
            file.write(f"{gpu} {start} {time.monotonic()}\n")
        if index == 1:
            raise RuntimeError("this job fails: its slot is freed all the same")


def busiest(intervals: list[tuple[int, float, float]], gpu: int) -> int:
    """The most jobs on `gpu` at one time."""
    on_gpu = [(start, end) for g, start, end in intervals if g == gpu]
    return max(sum(s <= start < e for s, e in on_gpu) for start, _ in on_gpu)


@pytest.mark.parametrize("gpus", [1, 2, 4])
@pytest.mark.parametrize("per_gpu", [1, 2])
def test_jobs_never_share_a_gpu_beyond_its_slots_and_use_every_gpu(tmp_path, gpus, per_gpu):
    devices, log = list(range(gpus)), tmp_path / "log"
    jobs = 2 * gpus * per_gpu + 1  # more jobs than slots: some wait for a freed slot
    context = multiprocessing.get_context("fork")
    processes = [
        context.Process(target=job, args=(tmp_path / "slots", devices, per_gpu, i, log))
        for i in range(jobs)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [process.exitcode != 0 for process in processes].count(True) == 1  # the failed one
    intervals = [
        (int(g), float(s), float(e)) for g, s, e in map(str.split, log.read_text().split("\n")[:-1])
    ]
    assert len(intervals) == jobs  # every job ran, after the failed one freed its slot
    assert {gpu for gpu, _, _ in intervals} == set(devices)
    assert max(busiest(intervals, gpu) for gpu in devices) == per_gpu
    assert gpu_jobs(per_gpu, devices) == gpus * per_gpu


def test_the_first_jobs_spread_over_the_gpus(tmp_path: Path) -> None:
    slots = GPUSlots(str(tmp_path), per_gpu=2, devices=[0, 1])
    with slots.claim() as first, slots.claim() as second:
        assert (first, second) == (0, 1)


def test_without_a_gpu_placement_says_so(tmp_path: Path) -> None:
    with (
        pytest.raises(RuntimeError, match="placement=gpus needs a GPU"),
        GPUSlots(str(tmp_path), devices=[]).claim(),
    ):
        pass


@pytest.mark.slow
def test_a_sweep_with_placement_runs_its_jobs_side_by_side(tmp_path: Path) -> None:
    # Jobs long enough (20 epochs, seconds) to overlap whenever the second worker starts.
    args = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST, "seed=1,2,3,4"]
    result = run_cli(
        "-m", "placement=gpus", "placement.devices=[0,1]", *args, "trainer.max_epochs=20",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (sweep,) = (tmp_path / "logs" / "multiruns").iterdir()
    gpus = []
    for job in ("0", "1", "2", "3"):
        assert json.loads((sweep / job / "metrics.json").read_text())["status"] == "ok"
        log = (sweep / job / "train.log").read_text()
        gpus += [gpu for gpu in (0, 1) if f"On GPU {gpu} (slot 1 of 1)" in log]
    assert sorted(gpus) in ([0, 0, 1, 1], [0, 0, 0, 1], [0, 1, 1, 1])  # both GPUs used
    assert "Joblib.Parallel(n_jobs=2" in result.stdout + result.stderr
