"""Paired comparisons in each cell of a sweep: every value of the compared axis against a
baseline, on the runs of seeds both have, with a verdict a reader can act on."""

import math
from collections.abc import Iterator

import numpy as np
import pandas as pd

from actlab.report.question import Question
from actlab.report.statistics import (
    PAIRED_TESTS,
    holm,
    mean_interval,
    needed,
    paired_p,
    smallest_paired_p,
)

BETTER, WORSE, ALIKE = "better", "worse", "not distinguishable"
TOO_FEW, UNPAIRED = "too few seeds", "no seeds in common"
"""The verdicts of a comparison."""


def cells(runs: pd.DataFrame, question: Question) -> Iterator[tuple[dict[str, str], pd.DataFrame]]:
    """Each cell of `runs` (a combination of the question's cell axes) and its runs, with every
    axis and seed as text; one cell of all runs where no other axis was swept."""
    columns = [*question.arm, *question.seeds]
    runs = runs.assign(**{name: runs[name].map(str) for name in columns})
    if not question.cells:
        yield {}, runs
        return
    for key, frame in runs.groupby(question.cells, sort=False, dropna=False):
        values = key if isinstance(key, tuple) else (key,)
        yield dict(zip(question.cells, values, strict=True)), frame


def cell_label(cell: dict[str, str]) -> str:
    """A cell as a reader names it: `model=mlp, data=mnist`, or `all runs`."""
    return ", ".join(f"{axis}={value}" for axis, value in cell.items()) or "all runs"


def by_seed(frame: pd.DataFrame, question: Question) -> pd.Series:
    """The compared metric of the runs of `frame`, indexed by their seeds (the mean where a
    seed ran more than once)."""
    keys = question.seeds or ["job"]
    return frame.groupby(keys, sort=False)[question.metric.column].mean()


def best_value(means: pd.Series, question: Question) -> str:
    """The value of the axis with the best mean."""
    return means.idxmax() if question.metric.higher_is_better else means.idxmin()


def tests_need(question: Question, comparisons: int) -> int | None:
    """The fewest paired seeds with which the question's test can reject at its level after
    Holm over `comparisons`."""
    return needed(
        lambda pairs: smallest_paired_p(question.test, pairs), comparisons, question.alpha
    )


def compare(runs: pd.DataFrame, question: Question) -> pd.DataFrame:
    """Per cell, every value of the axis against the baseline (the question's, else the best
    mean), on the finished runs (status ok) of the seeds both have: the number of pairs (and the
    number the test needs), both means, the mean difference (value - baseline) with its 95%
    bootstrap interval, the fraction of pairs in which the value is better (ties count half), the
    test's p-value and Holm's correction of it over the cell's comparisons, and the verdict. No
    p-value where the pairs are too few for it to be small: such a comparison counts in Holm's
    correction as p = 1. One row per comparison."""
    metric, axis = question.metric, question.axis
    rows: list[dict] = []
    if axis is None:
        return pd.DataFrame(rows)
    finished = runs[(runs.status == "ok") & runs[metric.column].notna()]
    for cell, frame in cells(finished, question):
        means = frame.groupby(axis, sort=False)[metric.column].mean()
        if len(means) < 2:
            continue
        baseline = question.baseline or best_value(means, question)
        if baseline not in means:
            continue
        others = [value for value in means.index if value != baseline]
        need = tests_need(question, len(others))
        reference = by_seed(frame[frame[axis] == baseline], question)
        compared = []
        for value in others:
            pairs = pd.concat(
                [by_seed(frame[frame[axis] == value], question), reference],
                axis=1,
                join="inner",
                keys=["value", "baseline"],
            )
            a, b = pairs["value"].to_numpy(), pairs["baseline"].to_numpy()
            tested = need is not None and len(pairs) >= need
            wins = [metric.better(x, y) + 0.5 * (x == y) for x, y in zip(a, b, strict=True)]
            low, high = mean_interval(a - b)
            compared.append({
                **cell, axis: value, "baseline": baseline, "pairs": len(pairs), "needed": need,
                "mean": means[value], "baseline mean": means[baseline],
                "difference": float(np.mean(a - b)) if len(pairs) else np.nan,
                "difference ci low": low, "difference ci high": high,
                "P(better)": float(np.mean(wins)) if wins else np.nan,
                "p": paired_p(a, b, question.test) if tested else np.nan,
            })  # fmt: skip
        pvalues = [1.0 if math.isnan(row["p"]) else row["p"] for row in compared]
        corrected, reject = holm(pvalues, question.alpha)
        for row, p, rejects in zip(compared, corrected, reject, strict=True):
            row["p holm"] = np.nan if math.isnan(row["p"]) else p
            row["verdict"] = verdict(row, bool(rejects), question)
        rows += compared
    return pd.DataFrame(rows)


def verdict(row: dict, rejects: bool, question: Question) -> str:
    """The verdict of one comparison `row`, where Holm's correction `rejects` it or not: better
    or worse (by the sign of the paired mean difference), not distinguishable, too few seeds for
    the test, or no seeds in common."""
    if row["pairs"] == 0:
        return UNPAIRED
    if math.isnan(row["p"]):
        return TOO_FEW
    if not rejects:
        return ALIKE
    return BETTER if question.metric.better(row["difference"], 0.0) else WORSE


def listed(values: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


def plural(count: int, word: str) -> str:
    """`1 comparison`, `2 comparisons`."""
    return f"{count} {word}" + ("" if count == 1 else "s")


def judged(named: dict[str, list[str]], baseline: str, seeds: int) -> str:
    """The sentence of a cell's verdicts: which values are better, worse, not distinguishable."""
    parts = []
    said = {
        BETTER: f"better than {baseline}",
        WORSE: f"worse than {baseline}",
        ALIKE: f"not distinguishable from {baseline} with {seeds} seeds",
    }
    for kind, what in said.items():
        if named[kind]:
            verb = "is" if len(named[kind]) == 1 else "are"
            parts.append(f"{listed(named[kind])} {verb} {what}")
    return "; ".join(parts) + "." if parts else "too few seeds for a verdict."


def seeds_to_run(runs: pd.DataFrame, pairs: int, need: int) -> str:
    """The seeds to add so that every arm has `need`: `seed=4,5,6,7`."""
    if "seed" not in runs:
        return f"{need} seeds (seed=0,...,{need - 1})"
    seeds = sorted(int(seed) for seed in pd.to_numeric(runs["seed"], errors="coerce").dropna())
    start = (max(seeds) + 1) if seeds else 0
    more = range(start, start + need - pairs)
    return f"seed={','.join(map(str, more))}"


def verdicts(runs: pd.DataFrame, comparisons: pd.DataFrame, question: Question) -> list[str]:
    """A paragraph per cell, for a reader: which values are better or worse than the baseline,
    which are not distinguishable with the seeds run; or, where the seeds are too few for the
    test, how many to run; and the runs left out of the tests (failed, diverged), by name."""
    if question.axis is None or comparisons.empty:
        return []
    paragraphs = []
    axis, metric = question.axis, question.metric
    for cell, frame in cells(runs, question):
        rows = comparisons
        for name, value in cell.items():
            rows = rows[rows[name].map(str) == value]
        if rows.empty:
            continue
        baseline = rows["baseline"].iloc[0]
        chosen = "" if question.baseline else " (the best mean)"
        test = PAIRED_TESTS[question.test]
        kinds = (BETTER, WORSE, ALIKE, TOO_FEW, UNPAIRED)
        named = {kind: rows.loc[rows.verdict == kind, axis].tolist() for kind in kinds}
        tested = rows.loc[rows.verdict.isin([BETTER, WORSE, ALIKE]), "pairs"]
        text = (
            f"**{cell_label(cell)}**, {metric.label} against {baseline}{chosen}, {test}, Holm "
            f"over {plural(len(rows), 'comparison')}, alpha {question.alpha:g}: "
            + judged(named, baseline, int(tested.min()) if len(tested) else 0)
        )
        if named[TOO_FEW]:
            need = rows["needed"].iloc[0]
            few = int(rows.loc[rows.verdict == TOO_FEW, "pairs"].min())
            if pd.isna(need):
                text += (
                    f" {test} cannot reach p < {question.alpha:g} after Holm over "
                    f"{plural(len(rows), 'comparison')} with any number of seeds: compare "
                    "fewer values."
                )
            else:
                text += (
                    f" With {few} paired seeds {test} cannot reach p < {question.alpha:g} after "
                    f"Holm over {plural(len(rows), 'comparison')} (it needs {int(need)}): run "
                    f"{seeds_to_run(frame, few, int(need))} for a verdict on "
                    f"{listed(named[TOO_FEW])}; the intervals are what {few} seeds say."
                )
        if named[UNPAIRED]:
            text += f" {listed(named[UNPAIRED])} ran no seed that {baseline} ran."
        left_out = frame[frame.status != "ok"]
        if len(left_out):
            names = [
                f"{run.sweep}/{run.job} ({axis}={run[axis]}: {run.status})"
                for _, run in left_out.iterrows()
            ]
            text += f" Left out of the tests: {', '.join(names)}."
        paragraphs.append(text)
    return paragraphs
