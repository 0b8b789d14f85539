"""The whole-process benchmark still runs: `python train.py` against the plain script."""

import pytest
from helpers import run_benchmark

pytestmark = pytest.mark.slow  # each runs a benchmark script whole


def test_the_benchmark_prints_both_wall_times_and_their_ratio() -> None:
    limits = ["--warmup", "0", "+trainer.limit_train_batches=3", "+trainer.limit_val_batches=1"]
    stdout = run_benchmark("whole_run.py", "--rounds", "1", *limits)
    rows = {line[:18].strip(): line[18:].split() for line in stdout.splitlines()[1:]}
    names = ["plain script", "python train.py", "plain's imports", "train.py's imports"]
    assert list(rows) == names
    assert rows["plain script"][2] == "1.000"
    seconds = [float(row[0]) for row in rows.values()]
    for row, time in zip(rows.values(), seconds, strict=True):
        assert float(row[2]) == pytest.approx(time / seconds[0], abs=2e-3)  # of rounded times
    assert all(time > 0 for time in seconds)  # one round, no warm-up: no order asserted
