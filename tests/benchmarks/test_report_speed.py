"""The report benchmark still runs: it writes a synthetic sweep and times the report against
reading its files."""

import pytest
from helpers import run_benchmark

pytestmark = pytest.mark.slow  # it runs a benchmark script whole


def test_the_benchmark_prints_the_reports_time_as_a_ratio_to_reading_the_files() -> None:
    args = ["--activations", "3", "--models", "2", "--seeds", "2", "--epochs", "2", "--rounds", "1"]
    stdout = run_benchmark("report.py", *args)
    lines = stdout.splitlines()
    assert lines[0].startswith("12 runs (3 activations x 2 models x 2 seeds, 2 epochs each)")
    rows = {line[:20].strip(): line[20:].split() for line in lines[-2:]}
    assert list(rows) == ["reading the files", "actlab-report"]
    assert rows["reading the files"][1] == "1.000"
    baseline, report = float(rows["reading the files"][0]), float(rows["actlab-report"][0])
    assert float(rows["actlab-report"][1]) == pytest.approx(report / baseline, abs=0.01)
