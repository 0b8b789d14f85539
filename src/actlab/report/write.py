"""The report's files, of one sweep or several side by side: report.md, its CSV tables and plots."""

from collections.abc import Collection
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from actlab.report.document import report_markdown
from actlab.report.findings import Findings, find
from actlab.report.plots import plot_curves, plot_heatmap
from actlab.report.question import ask
from actlab.report.ranking import plot_cd_diagram
from actlab.report.runs import CURVE_TAGS, load_runs
from actlab.report.summary import independent_axes, swept_axes
from actlab.utils.atomic import atomic_path, write_text_atomically

DPI = 110
"""Resolution of the report's PNG plots."""


def save_plot(figure: Figure, path: Path) -> None:
    """Save `figure` as a PNG at `path`, atomically."""
    with atomic_path(path) as partial:
        figure.savefig(partial, dpi=DPI, format="png")


def tables(findings: Findings) -> dict[str, pd.DataFrame]:
    """The report's CSV files by name: every run; the summary over seeds; the comparisons; the
    ranking (each value's score and rank in each cell); the costs; where the spread comes from."""
    written = {"report.csv": findings.runs, "summary.csv": findings.summary}
    written["comparisons.csv"] = findings.comparisons
    if findings.ranking is not None:
        scores = findings.ranking.scores.rename_axis("cell").reset_index()
        ranks = findings.ranking.ranks.rename_axis("cell").reset_index()
        axis = findings.question.axis
        long = scores.melt(id_vars="cell", var_name=axis, value_name="score")
        written["ranking.csv"] = long.merge(
            ranks.melt(id_vars="cell", var_name=axis, value_name="rank"), on=["cell", axis]
        )
    written["costs.csv"] = findings.costs
    if not findings.spread.empty:
        written["spread.csv"] = findings.spread
    return {name: table for name, table in written.items() if not table.empty}


def write_report(
    sweep_dirs: list[Path], out: Path, tags: Collection[str] = (), **question: Any
) -> tuple[list[Path], Findings]:
    """Write the report of the runs of `sweep_dirs` (those tagged with every one of `tags`) into
    `out`, answering the question that `question` asks (`actlab.report.question.ask`'s options);
    returns the files written and what was found."""
    runs, curves = load_runs(sweep_dirs, tags)
    axes = swept_axes(runs)
    findings = find(runs, axes, ask(runs, axes, **question))
    drawn = independent_axes(runs, axes)
    out.mkdir(parents=True, exist_ok=True)
    plots = []
    if findings.ranking is not None:
        plots.append("cd_diagram.png")
        save_plot(plot_cd_diagram(findings.ranking, findings.question), out / plots[-1])
    for tag in CURVE_TAGS:
        if (curves.tag == tag).any():
            plots.append(f"{tag.replace('/', '_')}.png")
            save_plot(plot_curves(runs, curves, drawn, tag), out / plots[-1])
    if len(drawn) == 2 and (runs.status == "ok").any():
        plots.append("heatmap.png")
        save_plot(plot_heatmap(runs, drawn), out / plots[-1])
    written = []
    for name, table in tables(findings).items():
        write_text_atomically(out / name, table.to_csv(index=False))
        written.append(out / name)
    shown = [plot for plot in plots if plot != "cd_diagram.png"]  # it is in its section
    write_text_atomically(out / "report.md", report_markdown(findings, shown))
    return [out / "report.md", *written, *(out / plot for plot in plots)], findings
