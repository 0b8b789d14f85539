"""The diagnostics benchmark still runs and prints the ratio of the two contenders."""

import pytest
from helpers import run_benchmark

pytestmark = pytest.mark.slow  # each runs a benchmark script whole


def test_the_benchmark_prints_the_cost_of_diagnostics_as_a_ratio() -> None:
    args = ["--batch-size", "8", "--steps", "4", "--every", "2", "--rounds", "1"]
    stdout = run_benchmark("diagnostics.py", *args)
    rows = {line[:18].strip(): line[18:].split() for line in stdout.splitlines()[-3:]}
    assert list(rows) == ["without", "with diagnostics", "inside its hooks"]
    assert rows["without"][2] == "1.000"
    assert float(rows["with diagnostics"][2]) > 0 and float(rows["inside its hooks"][0]) > 0
