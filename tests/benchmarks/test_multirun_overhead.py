"""The multirun benchmark still runs: sweeps of 1 and N jobs, start-up and overhead per job."""

import pytest
from helpers import run_benchmark

pytestmark = pytest.mark.slow  # each runs a benchmark script whole


def test_the_benchmark_prints_start_up_and_overhead_per_job() -> None:
    stdout = run_benchmark("multirun.py", "--jobs", "2", "--rounds", "1")
    header, *rows = stdout.splitlines()
    assert header.startswith("breast-cancer MLP, 12 steps per job")
    figures = {row[:20].strip(): float(row[20:].split()[0]) for row in rows}
    assert list(figures) == [
        "sweep of 1 job",
        "sweep of 2 jobs",
        "start-up of a sweep",
        "overhead per job",
    ]
    # the plain loop's few milliseconds can vanish in the printed hundredths
    assert 0 < figures["start-up of a sweep"] <= figures["sweep of 1 job"]
