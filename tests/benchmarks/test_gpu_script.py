"""`benchmarks/gpu.sh --toy`: the GPU script runs every part at a toy size (here, on the CPU)."""

import os
import subprocess
import sys

import pytest
from helpers import REPO

pytestmark = pytest.mark.slow  # each runs a benchmark script whole


def test_the_gpu_script_runs_every_part_at_a_toy_size() -> None:
    env = {**os.environ, "PYTHON": sys.executable}
    result = subprocess.run(
        ["bash", str(REPO / "benchmarks" / "gpu.sh"), "--toy"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for part in ("== 1. the fast path", "== 2. a sweep", "== 3. experiment=cifar10_fast"):
        assert part in result.stdout
    assert "actlab + compile, CUDA graphs" in result.stdout
    assert "placement=gpus, per_gpu=2" in result.stdout
    for part in ("== 4. the 16-run sweep, stacked", "== 5. 8 seeds of ResNet-18"):
        assert part in result.stdout
    assert result.stdout.count("stack.size=") >= 2
    assert "stack.size=4, fused" in result.stdout and "placement, per_gpu=2" in result.stdout
    assert "== 6. a report's costs" in result.stdout
    assert "| activation | runs | epoch time (s) | peak GPU memory (MiB) |" in result.stdout
    assert "== 7. what each activation costs" in result.stdout and "| `pau` |" in result.stdout
    assert (
        "== 8. study=dubey2022's hours" in result.stdout
        and "the grid (18 activations" in result.stdout
    )
