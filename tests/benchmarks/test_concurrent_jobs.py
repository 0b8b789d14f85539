"""The concurrency benchmark still runs: a sweep with the basic launcher and with joblib's, and
with K jobs at once per GPU (placement=gpus; on the CPU as if it were GPU 0)."""

import pytest
from helpers import run_benchmark

pytestmark = pytest.mark.slow  # each runs a benchmark script whole


def test_the_benchmark_prints_each_launchers_sweep_against_the_basic_one() -> None:
    job = ["data=breast_cancer", "model=mlp", "trainer.max_epochs=1"]
    stdout = run_benchmark("concurrent_jobs.py", "--jobs", "2", "--n-jobs", "2", *job)
    header, _, *rows = stdout.splitlines()
    assert header.startswith(
        "2 runs of data=breast_cancer model=mlp trainer.max_epochs=1 seed=1..2"
    )
    figures = {row[:28].strip(): row[28:].split() for row in rows}  # seconds, "s", runs/min, ratio
    assert list(figures) == ["basic, one after another", "joblib, n_jobs=2"]
    seconds = [float(values[0]) for values in figures.values()]
    ratios = [float(values[3]) for values in figures.values()]
    assert ratios[0] == 1.0
    assert ratios[1] == pytest.approx(seconds[0] / seconds[1], abs=2e-3)  # of rounded times


def test_the_benchmark_places_k_jobs_per_gpu() -> None:
    job = ["data=breast_cancer", "model=mlp", "trainer.max_epochs=1", "activation=relu,elu"]
    stdout = run_benchmark(
        "concurrent_jobs.py", "--jobs", "1", "--per-gpu", "1", "--per-gpu", "2", *job
    )
    header, _, *rows = stdout.splitlines()
    assert header.startswith("2 runs of ")  # 2 activations x 1 seed
    assert [row[:28].strip() for row in rows] == [
        "placement=gpus, per_gpu=1",
        "placement=gpus, per_gpu=2",
    ]
