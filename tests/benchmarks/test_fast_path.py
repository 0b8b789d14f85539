"""The fast-path benchmark still runs: a plain-loop baseline, then actlab's loop against it."""

import pytest
from helpers import run_benchmark

pytestmark = pytest.mark.slow  # each runs a benchmark script whole


def test_the_benchmark_prints_images_per_second_against_the_plain_loop() -> None:
    args = ["model.width=0.0625", "--batch-size", "8", "--steps", "2", "--warmup", "1"]
    args += ["--train-size", "200", "--rows", "all off"]
    stdout = run_benchmark("fast_path.py", *args)
    plain, actlab = stdout.splitlines()[2:]
    assert plain.startswith("plain PyTorch, float32") and actlab.startswith("actlab all off")
    plain_speed, plain_epoch = (float(value) for value in plain.split()[-2:])
    speed, epoch, ratio = (float(value) for value in actlab.split()[-3:])
    assert plain_speed > 0 and speed > 0 and plain_epoch > 0 and epoch > 0
    # The speeds are printed in whole images/s, the ratio to 2 decimals: they agree to that.
    rounding = 0.5 / plain_speed + 0.5 * speed / plain_speed**2 + 0.005
    assert ratio == pytest.approx(speed / plain_speed, abs=rounding + 1e-3)
