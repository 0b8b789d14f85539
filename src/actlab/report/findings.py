"""What a report finds in a sweep's runs for its question: every table it writes."""

from dataclasses import dataclass

import pandas as pd

from actlab.report.comparisons import compare, verdicts
from actlab.report.costs import costs
from actlab.report.question import Question
from actlab.report.ranking import Ranking, rank
from actlab.report.spread import spread
from actlab.report.summary import summarise


@dataclass
class Findings:
    """Everything a report found in its runs: the summary over seeds of each combination of the
    swept `axes`, the paired comparisons in each cell and their verdicts, the ranking across
    cells (None with fewer than two), the costs and where the spread comes from."""

    runs: pd.DataFrame
    axes: list[str]
    question: Question
    summary: pd.DataFrame
    comparisons: pd.DataFrame
    verdicts: list[str]
    ranking: Ranking | None
    costs: pd.DataFrame
    spread: pd.DataFrame


def find(runs: pd.DataFrame, axes: list[str], question: Question) -> Findings:
    """Answer `question` of `runs`, whose swept axes are `axes`. Where no run recorded the
    compared metric (none finished), there is nothing to compare, rank or spread."""
    column = question.metric.column
    scored = runs if column in runs else runs.assign(**{column: float("nan")})
    comparisons = compare(scored, question)
    return Findings(
        runs=runs,
        axes=axes,
        question=question,
        summary=summarise(runs, axes),
        comparisons=comparisons,
        verdicts=verdicts(scored, comparisons, question),
        ranking=rank(scored, question),
        costs=costs(runs, question.arm),
        spread=spread(scored, question),
    )
