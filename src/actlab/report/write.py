"""The report's files: report.csv, report.md and the plots, of one sweep or several side by side."""

from collections.abc import Collection
from pathlib import Path

from matplotlib.figure import Figure

from actlab.report.plots import plot_curves, plot_heatmap
from actlab.report.runs import CURVE_TAGS, load_runs
from actlab.report.summary import independent_axes, report_markdown, swept_axes
from actlab.utils.atomic import atomic_path, write_text_atomically

DPI = 110
"""Resolution of the report's PNG plots."""


def save_plot(figure: Figure, path: Path) -> None:
    """Save `figure` as a PNG at `path`, atomically."""
    with atomic_path(path) as partial:
        figure.savefig(partial, dpi=DPI, format="png")


def write_report(sweep_dirs: list[Path], out: Path, tags: Collection[str] = ()) -> list[Path]:
    """Write report.csv, report.md and the plots of the runs of `sweep_dirs` (those tagged with
    every one of `tags`) into `out`; returns the files written."""
    runs, curves = load_runs(sweep_dirs, tags)
    axes = swept_axes(runs)
    drawn = independent_axes(runs, axes)
    out.mkdir(parents=True, exist_ok=True)
    plots = []
    for tag in CURVE_TAGS:
        if (curves.tag == tag).any():
            plots.append(f"{tag.replace('/', '_')}.png")
            save_plot(plot_curves(runs, curves, drawn, tag), out / plots[-1])
    if len(drawn) == 2 and (runs.status == "ok").any():
        plots.append("heatmap.png")
        save_plot(plot_heatmap(runs, drawn), out / plots[-1])
    write_text_atomically(out / "report.csv", runs.to_csv(index=False))
    write_text_atomically(out / "report.md", report_markdown(runs, axes, plots))
    return [out / "report.csv", out / "report.md", *(out / plot for plot in plots)]
