"""The throughput benchmark still runs: each case's plain loop, bare Lightning and actlab's path,
their ratios and actlab's cost per step over each."""

import pytest
from helpers import run_benchmark

pytestmark = pytest.mark.slow  # each runs a benchmark script whole


def test_the_benchmark_prints_each_case_against_the_plain_loop(tmp_path) -> None:
    args = ["--cases", "mlp", "lenet", "--rounds", "1", "--scale", "0.01", "paths.data_dir=data"]
    stdout = run_benchmark("throughput.py", *args, cwd=tmp_path)
    rows = {line.split()[0]: line for line in stdout.splitlines()[2:]}
    assert list(rows) == ["mlp", "lenet"]
    assert rows["mlp"].split()[1] == "real"  # bundled with scikit-learn
    for row in rows.values():
        values = row.split()
        plain, lightning, actlab = (float(value) for value in values[-7:-4])
        of_plain, of_lightning = (float(value) for value in values[-4:-2])
        assert plain > 0 and lightning > 0 and actlab > 0
        # Of the rounded figures: to the last printed digit, or 0.5% of a ratio far from 1.
        assert of_plain == pytest.approx(actlab / plain, rel=5e-3, abs=2e-3)
        assert of_lightning == pytest.approx(actlab / lightning, rel=5e-3, abs=2e-3)
