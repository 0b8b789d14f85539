"""The activation-cost benchmark: a row per option, ReLU's ratios 1, and the memory autograd keeps
as each function's backward pass needs it."""

import pytest
from helpers import run_benchmark

pytestmark = pytest.mark.slow  # each runs a benchmark script whole


def test_each_option_is_timed_against_relu_and_its_kept_memory_counted() -> None:
    stdout = run_benchmark(
        "activation_cost.py", "relu", "lisht", "pau", "--batch", "2", "--rounds", "1"
    )
    rows = {
        cells[0].strip("`"): cells[1:]
        for line in stdout.splitlines()
        if line.startswith("| `") and (cells := [c.strip() for c in line.strip("|").split("|")])
    }
    assert set(rows) == {"relu", "lisht", "pau"}
    assert rows["relu"] == ["1.00", "1.00", "1.0"]
    assert rows["lisht"][2] == "2.0"  # z and tanh(z)
    assert rows["pau"][2] == "1.0"  # its own backward pass keeps z alone
    assert all(float(value) > 0 for row in rows.values() for value in row)
