"""Plots of a sweep: validation curves per epoch with a band over seeds, and a heatmap."""

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from actlab.report.summary import monitored


def line_axis(axes: list[str]) -> str | None:
    """The axis drawn as one line per value: the activation when it was swept, else the first."""
    if "activation" in axes:
        return "activation"
    return axes[0] if axes else None


def plot_curves(runs: pd.DataFrame, curves: pd.DataFrame, axes: list[str], tag: str) -> Figure:
    """`tag` per epoch: one line per value of the line axis (mean over seeds, band +- std), one
    panel per combination of the other axes."""
    lines = line_axis(axes)
    facets = [axis for axis in axes if axis != lines]
    keys = list(dict.fromkeys(["sweep", "job", *axes]))
    data = curves[curves.tag == tag].merge(runs[keys], on=["sweep", "job"])
    panels = list(data.groupby(facets, sort=False, dropna=False)) if facets else [((), data)]
    columns = min(len(panels), 3)
    rows = -(-len(panels) // columns)
    figure = Figure(figsize=(5 * columns, 3.6 * rows), layout="constrained")
    for index, (key, panel) in enumerate(panels):
        ax = figure.add_subplot(rows, columns, index + 1)
        lined = panel.groupby(lines, sort=False, dropna=False) if lines else [("all runs", panel)]
        for value, group in lined:
            stats = group.groupby("epoch")["value"].agg(["mean", "std"]).fillna({"std": 0.0})
            ax.plot(stats.index, stats["mean"], marker="o", markersize=3, label=str(value))
            ax.fill_between(
                stats.index, stats["mean"] - stats["std"], stats["mean"] + stats["std"], alpha=0.2
            )
        key = key if isinstance(key, tuple) else (key,)
        ax.set_title(", ".join(f"{a}={v}" for a, v in zip(facets, key, strict=True)) or tag)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(tag)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small", title=lines)
    return figure


def plot_heatmap(runs: pd.DataFrame, axes: list[str]) -> Figure:
    """Mean best monitored metric over seeds for each pair of values of the two swept axes."""
    metric = monitored(runs)
    finished = runs[runs.status == "ok"]
    rows, columns = axes
    table = finished.pivot_table(index=rows, columns=columns, values=f"best_{metric}", sort=False)
    figure = Figure(figsize=(1.3 * len(table.columns) + 2.5, 0.5 * len(table.index) + 1.8))
    ax = figure.add_subplot()
    image = ax.imshow(table.to_numpy(), cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(table.columns)), [str(c) for c in table.columns], rotation=30)
    ax.set_yticks(range(len(table.index)), [str(i) for i in table.index])
    ax.set_xlabel(columns)
    ax.set_ylabel(rows)
    middle = (table.min().min() + table.max().max()) / 2
    for (i, j), value in pd.DataFrame(table.to_numpy()).stack().items():
        colour = "black" if value > middle else "white"
        ax.text(j, i, f"{value:.3f}", ha="center", va="center", color=colour, fontsize="small")
    figure.colorbar(image, ax=ax, label=f"best {metric} (mean over seeds)")
    figure.tight_layout()
    return figure
