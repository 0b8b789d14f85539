"""What a sweep varied, and its runs summarised over seeds as a Markdown report."""

import pandas as pd

RESULTS = {
    "status",
    "reason",
    "monitor",
    "epochs",
    "best_epoch",
    "num_params",
    "wall_time_s",
    "stopped_early_epoch",
    "stacked",
}
"""Columns of a run's row that are results, besides best_*, last_*, test/* and *_area."""


def hparam_names(runs: pd.DataFrame) -> list[str]:
    """The columns of `runs` that are hyper-parameters (as recorded in each run's hparams)."""
    return [
        name
        for name in runs.columns
        if name not in RESULTS | {"sweep", "job"}
        and not name.startswith(("best_", "last_", "test/"))
        and not name.endswith("_area")
    ]


def swept_axes(runs: pd.DataFrame) -> list[str]:
    """The hyper-parameters whose value differs between runs, the seed aside; `sweep` first when
    the runs come from several sweeps, then the activation and the model, and an experiment's
    arms (`experiment/<study>`) last."""
    axes = [
        name
        for name in hparam_names(runs)
        if name != "seed" and runs[name].astype(str).nunique() > 1
    ]
    axes.sort(key=lambda name: (name.startswith("experiment/"), name != "model"))
    axes.sort(key=lambda name: name != "activation")
    return (["sweep"] if runs["sweep"].nunique() > 1 else []) + axes


def independent_axes(runs: pd.DataFrame, axes: list[str]) -> list[str]:
    """`axes` less those whose value follows from the ones before (an S4 arm sets both the
    activation and the init: the init follows from the activation), for plots."""
    kept: list[str] = []
    for axis in axes:
        values = runs[axis].astype(str)
        if not kept or values.groupby([runs[k].astype(str) for k in kept]).nunique().max() > 1:
            kept.append(axis)
    return kept


def monitored(runs: pd.DataFrame) -> str:
    """The metric that picked the runs' best epochs (the most common one, if they differ)."""
    return runs["monitor"].mode().iloc[0]


def summarise(runs: pd.DataFrame, axes: list[str]) -> pd.DataFrame:
    """Per combination of `axes`: the count of runs and of finished ones, and the mean and std
    over the finished runs (the seeds) of the best and last monitored metric, the epoch of the
    best, the area under the validation loss, and the test accuracy; where early stopping ended
    any run, how many of each combination it stopped, and the mean epoch it stopped them at."""
    metric = monitored(runs)
    measures = {
        f"best {metric}": f"best_{metric}",
        f"last {metric}": f"last_{metric}",
        "best epoch": "best_epoch",
        "val loss area": "val_loss_area",
        "test acc": "test/acc",
    }
    keys = axes or ["runs of"]
    runs = runs.assign(**{"runs of": ", ".join(runs["sweep"].unique())})
    finished = runs[runs.status == "ok"]
    # dropna=False: a run that lacks a swept value (a group given several options at once, which
    # Hydra's choices do not list) is a group of its own, never dropped.
    table = runs.groupby(keys, sort=False, dropna=False).size().rename("runs").to_frame()
    table["ok"] = finished.groupby(keys, sort=False, dropna=False).size()
    for label, column in measures.items():
        if column in finished:
            values = finished.groupby(keys, sort=False, dropna=False)[column]
            table[f"{label} mean"] = values.mean()
            table[f"{label} std"] = values.std()
    table["ok"] = table["ok"].fillna(0).astype(int)
    if "stopped_early_epoch" in finished and finished["stopped_early_epoch"].notna().any():
        stopped = finished.groupby(keys, sort=False, dropna=False)["stopped_early_epoch"]
        table["stopped early"] = stopped.count()
        table["stopped at epoch mean"] = stopped.mean()
        table["stopped at epoch std"] = stopped.std()
    return table.reset_index()


def markdown_table(table: pd.DataFrame) -> str:
    """`table` as a Markdown table, mean and std columns joined as `mean +- std`."""
    columns, cells = [], []
    for name in table.columns:
        if name.endswith(" std"):
            continue
        if name.endswith(" mean"):
            std = table[name.removesuffix(" mean") + " std"]
            columns.append(name.removesuffix(" mean"))
            cells.append([_mean_std(m, s) for m, s in zip(table[name], std, strict=True)])
        else:
            columns.append(name)
            cells.append(["-" if pd.isna(value) else str(value) for value in table[name]])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(row) + " |" for row in zip(*cells, strict=True)]
    return "\n".join(lines)


def _mean_std(mean: float, std: float) -> str:
    if pd.isna(mean):
        return ""
    return f"{mean:.4g}" if pd.isna(std) else f"{mean:.4g} +- {std:.2g}"


def report_markdown(runs: pd.DataFrame, axes: list[str], plots: list[str]) -> str:
    """The report: what was swept, the summary over seeds, the runs that did not finish, plots."""
    seeds = sorted(runs["seed"].unique()) if "seed" in runs else []
    lines = [
        f"# Report of {', '.join(sorted(runs['sweep'].unique()))}",
        "",
        f"{len(runs)} runs; swept: {', '.join(axes) or 'nothing'}; seeds: "
        f"{', '.join(map(str, seeds))}. Mean +- std over the runs that finished (ok).",
        "",
        markdown_table(summarise(runs, axes)),
        "",
    ]
    unfinished = runs[runs.status != "ok"]
    if len(unfinished):
        lines += ["## Runs that did not finish", ""]
        for _, run in unfinished.iterrows():
            choices = ", ".join(f"{axis}={run[axis]}" for axis in axes)
            reason = f": {run.reason}" if run.reason else ""
            lines.append(f"- {run.sweep}/{run.job} ({choices}): {run.status}{reason}")
        lines.append("")
    lines += [f"![{plot}]({plot})" for plot in plots]
    return "\n".join(lines) + "\n"
