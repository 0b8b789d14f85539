"""The stacking benchmark still runs: a sweep solo and in stacks, and the memory of a stack."""

import pytest
from helpers import run_benchmark

pytestmark = pytest.mark.slow  # it runs a benchmark script whole


def test_the_benchmark_prints_the_stacked_sweep_against_the_solo_one_and_its_memory() -> None:
    job = ["data=breast_cancer", "model=mlp", "trainer.max_epochs=1", "seed=0,1"]
    stdout = run_benchmark("stacked_sweep.py", "--stack", "2", "--memory", "2", *job)
    header, _, *rows = stdout.splitlines()
    assert header == "2 runs of data=breast_cancer model=mlp trainer.max_epochs=1 seed=0,1, on CPU"
    figures = {row[:30].strip(): row[30:].split() for row in rows}
    assert list(figures) == [
        "solo, one after another", "stack.size=2", "memory: one run", "memory: a stack of 2",
    ]  # fmt: skip
    solo, stacked = figures["solo, one after another"], figures["stack.size=2"]
    assert solo[3] == "1.000"  # seconds, "s", runs/min, x sooner, peak, "MiB"
    assert float(stacked[3]) == pytest.approx(float(solo[0]) / float(stacked[0]), abs=2e-3)
    assert all(values[-1] == "MiB" and float(values[-2]) > 100 for values in figures.values())
