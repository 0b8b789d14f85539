"""The adaptive-activation benchmark still runs and prints a row per model and activation."""

import subprocess
import sys

from actlab.train import CONFIG_DIR

SCRIPT = CONFIG_DIR.parent / "benchmarks" / "adaptive_activations.py"


def test_the_benchmark_prints_each_activations_ratio_to_the_first() -> None:
    args = ["--models", "lenet", "--activations", "relu", "adaptive_mix"]
    args += ["--batch-size", "4", "--rounds", "1", "--steps", "1", "--warmup", "1"]
    result = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=True
    )
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith("lenet")]
    assert [row[1] for row in rows] == ["relu", "adaptive_mix"]
    assert rows[0][3] == "1.000"
    assert float(rows[1][2]) > 0
