"""Reports of sweeps: a table per run, a summary over seeds, and plots of the curves.

The pieces `actlab-report` is made of, for notebooks and scripts of your own."""

from actlab.report.plots import plot_curves, plot_heatmap
from actlab.report.runs import CURVE_TAGS, load_runs
from actlab.report.summary import independent_axes, markdown_table, summarise, swept_axes

__all__ = [
    "CURVE_TAGS",
    "independent_axes",
    "load_runs",
    "markdown_table",
    "plot_curves",
    "plot_heatmap",
    "summarise",
    "swept_axes",
]
