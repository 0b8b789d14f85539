"""The whole-process benchmark still runs: `python train.py` against the plain script."""

import subprocess
import sys

from actlab.train import CONFIG_DIR

BENCHMARKS = CONFIG_DIR.parent / "benchmarks"


def test_the_benchmark_prints_both_wall_times_and_their_ratio() -> None:
    limits = ["--warmup", "0", "+trainer.limit_train_batches=3", "+trainer.limit_val_batches=1"]
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "whole_run.py"), "--rounds", "1", *limits],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = {line[:18].strip(): line[18:].split() for line in result.stdout.splitlines()[1:]}
    assert list(rows) == ["plain script", "python train.py"]
    assert rows["plain script"][2] == "1.000"
    seconds = [float(row[0]) for row in rows.values()]
    assert float(rows["python train.py"][2]) == round(seconds[1] / seconds[0], 3)
