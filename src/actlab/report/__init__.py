"""Reports of sweeps: a table per run, a summary over seeds with intervals, paired comparisons
and their verdicts in each cell, a ranking across cells, costs, and plots of the curves.

The pieces `actlab-report` is made of, for notebooks and scripts of your own."""

from actlab.report.comparisons import compare, verdicts
from actlab.report.costs import costs
from actlab.report.findings import Findings, find
from actlab.report.plots import plot_curves, plot_heatmap
from actlab.report.question import Question, ask
from actlab.report.ranking import plot_cd_diagram, rank
from actlab.report.runs import CURVE_TAGS, load_runs
from actlab.report.spread import spread
from actlab.report.summary import independent_axes, markdown_table, summarise, swept_axes

__all__ = [
    "CURVE_TAGS",
    "Findings",
    "Question",
    "ask",
    "compare",
    "costs",
    "find",
    "independent_axes",
    "load_runs",
    "markdown_table",
    "plot_cd_diagram",
    "plot_curves",
    "plot_heatmap",
    "rank",
    "spread",
    "summarise",
    "swept_axes",
    "verdicts",
]
