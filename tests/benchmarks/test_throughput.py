"""The throughput benchmark still runs: each case's plain loop, actlab's path, and their ratio."""

import pytest
from helpers import run_benchmark

pytestmark = pytest.mark.slow  # each runs a benchmark script whole


def test_the_benchmark_prints_each_case_against_the_plain_loop(tmp_path) -> None:
    args = ["--cases", "mlp", "lenet", "--rounds", "1", "--scale", "0.01", "paths.data_dir=data"]
    stdout = run_benchmark("throughput.py", *args, cwd=tmp_path)
    rows = {line.split()[0]: line for line in stdout.splitlines()[2:]}
    assert list(rows) == ["mlp", "lenet"]
    assert "real data" in rows["mlp"]  # bundled with scikit-learn
    for row in rows.values():
        plain, actlab, ratio = (float(value) for value in row.split()[-3:])
        assert plain > 0 and actlab > 0
        assert ratio == pytest.approx(actlab / plain, abs=2e-3)  # of rounded figures
