"""What a sweep varied, and its runs summarised over seeds: mean, 95% bootstrap interval, spread."""

import pandas as pd

from actlab.report.statistics import mean_interval

RESULTS = {
    "status",
    "reason",
    "monitor",
    "mode",
    "validation",
    "epochs",
    "best_epoch",
    "tested",
    "tested_epoch",
    "num_params",
    "activation_params",
    "peak_gpu_memory_mib",
    "epoch_time_s",
    "wall_time_s",
    "stopped_early_epoch",
    "stacked",
    "stack_members",
}
"""Columns of a run's row that are results, besides best_*, last_*, test/* and *_area."""

SEEDS = {
    "seed": "the weights, dropout and augmentation",
    "data.split_seed": "the validation split",
    "data.shuffle_seed": "the data order",
}
"""The hyper-parameters that draw a run's randomness (Bouthillier et al., MLSys 2021), by what
each draws: repeats of one arm, never axes of a comparison; runs are paired by them."""


def hparam_names(runs: pd.DataFrame) -> list[str]:
    """The columns of `runs` that are hyper-parameters (as recorded in each run's hparams)."""
    return [
        name
        for name in runs.columns
        if name not in RESULTS | {"sweep", "job"}
        and not name.startswith(("best_", "last_", "test/"))
        and not name.endswith("_area")
    ]


def seed_columns(runs: pd.DataFrame) -> list[str]:
    """The seeds (`SEEDS`) these runs recorded."""
    return [name for name in SEEDS if name in runs]


def swept_axes(runs: pd.DataFrame) -> list[str]:
    """The hyper-parameters whose value differs between runs, the seeds aside: the activation
    first, then the model, and an experiment's arms (`experiment/<study>`) last; `sweep` before
    them where the runs come from several sweeps that repeat a run (the same hyper-parameters and
    seeds), which only the sweep tells apart. Sweeps that share no run are one study: more
    seeds, or more settings."""
    names = hparam_names(runs)
    axes = [name for name in names if name not in SEEDS and runs[name].map(str).nunique() > 1]
    axes.sort(key=lambda name: (name.startswith("experiment/"), name != "model"))
    axes.sort(key=lambda name: name != "activation")
    identity = runs[names].map(str).agg("|".join, axis=1)
    repeated = runs.groupby(identity)["sweep"].nunique().max() > 1
    return (["sweep"] if repeated else []) + axes


def independent_axes(runs: pd.DataFrame, axes: list[str]) -> list[str]:
    """`axes` less those whose value follows from the ones before (an S4 arm sets both the
    activation and the init: the init follows from the activation)."""
    kept: list[str] = []
    for axis in axes:
        values = runs[axis].map(str)
        if not kept or values.groupby([runs[k].map(str) for k in kept]).nunique().max() > 1:
            kept.append(axis)
    return kept


def monitored(runs: pd.DataFrame) -> str:
    """The metric that picked the runs' best epochs (the most common one, if they differ)."""
    return runs["monitor"].mode().iloc[0]


def measures(runs: pd.DataFrame) -> dict[str, tuple[str, bool]]:
    """What a summary gives of each group of runs, by label: the result column, and whether it
    gets a bootstrap interval (the monitored metric at the best epoch, the validation loss area,
    the test accuracy) or a plain mean and std."""
    metric = monitored(runs)
    return {
        f"best {metric}": (f"best_{metric}", True),
        "test acc": ("test/acc", True),
        "val loss area": ("val_loss_area", True),
        f"last {metric}": (f"last_{metric}", False),
        "best epoch": ("best_epoch", False),
    }


def tested_weights(tested: pd.Series) -> str:
    """Which weights a group of runs tested (`best` or `last`), as a report cell; with counts
    where the runs differ."""
    kinds = tested.dropna().value_counts()
    if len(kinds) <= 1:
        return kinds.index[0] if len(kinds) else "-"
    return ", ".join(f"{kind} {count}" for kind, count in kinds.items())


def summarise(runs: pd.DataFrame, axes: list[str]) -> pd.DataFrame:
    """Per combination of `axes`: the count of runs and of finished ones (ok), the mean, std and
    95% bootstrap interval over the finished runs (the seeds) of the best monitored metric, the
    test accuracy and the validation loss area, the mean and std of the last monitored metric and
    of the best epoch, and which weights the runs tested; where early stopping ended any run,
    how many of each combination it stopped, and the mean epoch it stopped them at."""
    keys = axes or ["runs of"]
    runs = runs.assign(**{"runs of": ", ".join(runs["sweep"].unique())})
    finished = runs[runs.status == "ok"]
    # dropna=False: a run that lacks a swept value (a group given several options at once, which
    # Hydra's choices do not list) is a group of its own, never dropped.
    table = runs.groupby(keys, sort=False, dropna=False).size().rename("runs").to_frame()
    table["ok"] = finished.groupby(keys, sort=False, dropna=False).size()
    groups = finished.groupby(keys, sort=False, dropna=False)
    for label, (column, interval) in measures(runs).items():
        if column not in finished or finished[column].isna().all():
            continue
        table[f"{label} mean"] = groups[column].mean()
        table[f"{label} std"] = groups[column].std()
        if interval:
            bounds = groups[column].apply(lambda values: mean_interval(values.dropna()))
            table[f"{label} ci low"] = bounds.str[0]
            table[f"{label} ci high"] = bounds.str[1]
    if "tested" in finished:
        table["tested"] = groups["tested"].agg(tested_weights)
    table["ok"] = table["ok"].fillna(0).astype(int)
    if "stopped_early_epoch" in finished and finished["stopped_early_epoch"].notna().any():
        stopped = groups["stopped_early_epoch"]
        table["stopped early"] = stopped.count()
        table["stopped at epoch mean"] = stopped.mean()
        table["stopped at epoch std"] = stopped.std()
    return table.reset_index()


def markdown_table(table: pd.DataFrame) -> str:
    """`table` as a Markdown table: a column's mean, std and interval joined as `mean [low, high]`
    where it has an interval, else `mean +- std`."""
    columns, cells = [], []
    for name in table.columns:
        if name.endswith((" std", " ci low", " ci high")):
            continue
        if name.endswith(" mean"):
            label = name.removesuffix(" mean")
            if f"{label} ci low" in table:
                columns.append(f"{label} [95% CI]")
                cells.append([
                    _mean_interval(mean, low, high)
                    for mean, low, high in zip(
                        table[name], table[f"{label} ci low"], table[f"{label} ci high"],
                        strict=True,
                    )
                ])  # fmt: skip
            else:
                columns.append(label)
                std = table[f"{label} std"]
                cells.append([_mean_std(m, s) for m, s in zip(table[name], std, strict=True)])
        else:
            columns.append(name)
            cells.append([_cell(value) for value in table[name]])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(row) + " |" for row in zip(*cells, strict=True)]
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "-" if pd.isna(value) else f"{value:.4g}"
    return "-" if value is None or value is pd.NA else str(value)


def _mean_std(mean: float, std: float) -> str:
    if pd.isna(mean):
        return ""
    return f"{mean:.4g}" if pd.isna(std) else f"{mean:.4g} +- {std:.2g}"


def _mean_interval(mean: float, low: float, high: float) -> str:
    if pd.isna(mean):
        return ""
    return f"{mean:.4g}" if pd.isna(low) else f"{mean:.4g} [{low:.4g}, {high:.4g}]"
