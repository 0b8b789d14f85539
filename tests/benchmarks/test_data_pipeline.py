"""The data-pipeline benchmark still runs: actlab's loader against torchvision's, as ratios."""

import pytest
from helpers import run_benchmark

pytestmark = pytest.mark.slow  # each runs a benchmark script whole


def test_the_benchmark_prints_each_loader_and_how_much_faster_actlab_is() -> None:
    stdout = run_benchmark("data_pipeline.py", "--batches", "3", "--rounds", "1")
    header, _, *rows = stdout.splitlines()
    assert "Fashion-MNIST" in header  # the real files, or random ones in their format
    speeds = {row[:28].strip(): row[28:].split() for row in rows}
    assert list(speeds) == ["actlab", "torchvision, 0 workers", "torchvision, 2 workers"]
    actlab = float(speeds["actlab"][0])
    assert speeds["actlab"][1] == "1.0x"
    for speed, ratio in list(speeds.values())[1:]:
        assert float(ratio.rstrip("x")) == pytest.approx(actlab / float(speed), abs=0.1)
