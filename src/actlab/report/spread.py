"""Where the spread of a result comes from (Bouthillier et al., MLSys 2021): how much of its
variance within each arm the run's seed, the validation split and the data order each explain,
where a sweep varied more than one of them."""

import pandas as pd

from actlab.report.comparisons import cells
from actlab.report.question import Question
from actlab.report.statistics import variance_shares
from actlab.report.summary import SEEDS


def varied_seeds(runs: pd.DataFrame, question: Question) -> list[str]:
    """The seeds that take more than one value within some arm."""
    finished = runs[runs.status == "ok"]
    if finished.empty:
        return []
    groups = finished.groupby(question.arm, dropna=False) if question.arm else [((), finished)]
    return [
        seed
        for seed in question.seeds
        if any(frame[seed].map(str).nunique() > 1 for _, frame in groups)
    ]


def spread(runs: pd.DataFrame, question: Question) -> pd.DataFrame:
    """Per arm (a value of the axis in a cell), where two seeds or more were varied: the share
    of the variance of the compared metric over its finished runs that each varied seed explains,
    and the rest; an arm whose seeds moved together, or with too few runs for the analysis, has
    no shares. Empty where fewer than two seeds were varied."""
    sources = varied_seeds(runs, question)
    if len(sources) < 2:
        return pd.DataFrame()
    column = question.metric.column
    finished = runs[(runs.status == "ok") & runs[column].notna()]
    rows = []
    for cell, frame in cells(finished, question):
        arms = frame.groupby(question.axis, sort=False) if question.axis else [(None, frame)]
        for value, arm in arms:
            untold = dict.fromkeys([*sources, "rest"], float("nan"))
            shares = variance_shares(arm, sources, column) or untold
            row = {**cell, **({question.axis: value} if question.axis else {})}
            rows.append({**row, "runs": len(arm), "std": arm[column].std(), **shares})
    return pd.DataFrame(rows)


def spread_text(table: pd.DataFrame, question: Question) -> list[str]:
    """What the spread table says, for a reader: each varied seed's mean share of the variance
    over the arms where it could be told apart, and those where it could not."""
    sources = [seed for seed in SEEDS if seed in table]
    told = table.dropna(subset=[*sources, "rest"])
    if told.empty:
        return [
            f"The seeds varied ({', '.join(sources) or 'none'}) moved together in every arm, or "
            "the arms have too few runs: their parts of the spread cannot be told apart. Sweep "
            "them apart (seed=0,1,2 data.split_seed=0,1,2) to see each."
        ]
    parts = [f"{seed} ({SEEDS[seed]}) {told[seed].mean():.0%}" for seed in sources]
    lines = [
        f"Of the variance of {question.metric.label} within an arm (mean over {len(told)} "
        f"arms; an analysis of variance of main effects, type II): "
        + ", ".join(parts)
        + f"; the rest, {told['rest'].mean():.0%}, is their interactions and what no seed "
        "controls."
    ]
    if len(told) < len(table):
        lines.append(
            f"{len(table) - len(told)} arms left out: their seeds moved together, or they have "
            "too few runs."
        )
    return lines
