"""`notebooks/analysis.ipynb` executed in a real kernel on a real tiny sweep."""

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).parents[2] / "notebooks" / "analysis.ipynb"


def execute() -> list[str]:
    """Run every cell of the notebook as Jupyter would (from notebooks/); the text of every
    output, and `<png>` for each image. A cell that raises fails the test."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook, timeout=300, resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            texts.append(output.get("text", "") + data.get("text/markdown", ""))
            texts += ["<png>"] if "image/png" in data else [data.get("text/plain", "")]
    return texts


@pytest.mark.slow
def test_the_notebook_shows_the_table_and_plots_of_two_sweeps(
    sweep: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = shutil.copytree(sweep, tmp_path / "again")
    monkeypatch.setenv("ACTLAB_SWEEPS", f"{sweep}:{other}")
    outputs = execute()
    text = "\n".join(outputs)
    assert f"12 runs from {sweep}, {other}" in text
    assert "swept: sweep, activation; statuses: {'ok': 12}" in text
    summary = next(output for output in outputs if output.startswith("| sweep | activation |"))
    for name in ("grid", "again"):
        for activation in ("relu", "tanh", "sigmoid"):
            assert f"| {name} | {activation} | 2 | 2 | " in summary
    assert "0 of 12 runs did not finish" in text
    # Two copies of one sweep: a cell each, so a verdict each and a ranking across them.
    assert text.count("best val/acc against") == 2 and "too few seeds for a verdict" in text
    assert "mean rank" in text
    # the CD diagram, val loss, F1 and accuracy curves, the training loss curve, the heatmap
    assert outputs.count("<png>") == 6


@pytest.mark.slow
def test_the_notebook_reads_the_newest_sweep_by_default(
    sweep: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    multiruns = tmp_path / "logs" / "multiruns"
    shutil.copytree(sweep, multiruns / "2026-01-01_10-00-00")
    newest = shutil.copytree(sweep, multiruns / "2026-01-02_09-00-00")
    shutil.rmtree(newest / "5")
    monkeypatch.delenv("ACTLAB_SWEEPS", raising=False)
    monkeypatch.setenv("ACTLAB_ROOT", str(tmp_path))
    text = "\n".join(execute())
    assert f"5 runs from {newest}" in text
    assert "swept: activation; statuses: {'ok': 5}" in text
    assert "a heatmap needs two swept axes; this sweep has 1: ['activation']" in text
    assert "one cell: nothing to rank across" in text
