"""The fast-path benchmark still runs: a plain-loop baseline, then actlab's loop against it."""

import pytest
from helpers import run_benchmark

pytestmark = pytest.mark.slow  # each runs a benchmark script whole


def test_the_benchmark_prints_images_per_second_against_the_plain_loop() -> None:
    args = ["model.width=0.0625", "--batch-size", "8", "--steps", "2", "--warmup", "1"]
    args += ["--train-size", "200", "--rows", "all off"]
    stdout = run_benchmark("fast_path.py", *args)
    rows = [line.rsplit(maxsplit=2) for line in stdout.splitlines()[2:]]
    assert [row[0].strip() for row in rows] == ["plain PyTorch, float32", "actlab all off"]
    assert rows[0][2] == "1.00"
    assert all(float(row[1]) > 0 for row in rows)
