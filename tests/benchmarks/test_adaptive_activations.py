"""The adaptive-activation benchmark still runs and prints a row per model and activation."""

import pytest
from helpers import run_benchmark

pytestmark = pytest.mark.slow  # each runs a benchmark script whole


def test_the_benchmark_prints_each_activations_ratio_to_the_first() -> None:
    args = ["--models", "lenet", "--activations", "relu", "adaptive_mix"]
    args += ["--batch-size", "4", "--rounds", "1", "--steps", "1", "--warmup", "1"]
    stdout = run_benchmark("adaptive_activations.py", *args)
    rows = [line.split() for line in stdout.splitlines() if line.startswith("lenet")]
    assert [row[1] for row in rows] == ["relu", "adaptive_mix"]
    assert rows[0][3] == "1.000"
    assert float(rows[1][2]) > 0
