"""The values of the compared axis ranked across the cells of a sweep (or of several): average
ranks, Friedman's test, a post-hoc test between every two, and a critical-difference diagram."""

from dataclasses import dataclass

import pandas as pd
import scikit_posthocs as posthocs
from matplotlib.figure import Figure

from actlab.report.comparisons import cell_label, cells
from actlab.report.question import Question
from actlab.report.statistics import (
    POSTHOCS,
    critical_difference,
    friedman,
    needed,
    posthoc,
    smallest_friedman_p,
    smallest_posthoc_p,
)


@dataclass
class Ranking:
    """The ranking of a question's values over its cells. `scores`: the mean metric of each
    value (column) in each cell where every value ran (row); `ranks`: their ranks in each cell
    (1 = best, ties averaged); `left_out`: the cells where some value did not run; Friedman's p
    (None where it cannot be small with so few cells, or with two values) and the fewest cells
    it needs; the post-hoc p-values between every two values, and the fewest cells it needs."""

    scores: pd.DataFrame
    ranks: pd.DataFrame
    left_out: list[str]
    friedman_p: float | None
    friedman_needs: int | None
    pvalues: pd.DataFrame
    posthoc_needs: int | None

    @property
    def mean_ranks(self) -> pd.Series:
        """Each value's average rank over the cells, best first."""
        return self.ranks.mean().sort_values()


def rank(runs: pd.DataFrame, question: Question) -> Ranking | None:
    """Rank the values of the question's axis by their mean metric (over the finished runs) in
    each cell, where there are two cells or more and two values or more in all of them."""
    if question.axis is None or not question.cells:
        return None
    finished = runs[(runs.status == "ok") & runs[question.metric.column].notna()]
    means = {
        cell_label(cell): frame.groupby(question.axis, sort=False)[question.metric.column].mean()
        for cell, frame in cells(finished, question)
    }
    table = pd.DataFrame(means).T
    scores = table.dropna()
    left_out = [cell for cell in table.index if cell not in scores.index]
    cells_in, arms = scores.shape
    if cells_in < 2 or arms < 2:
        return None
    ranks = scores.rank(axis=1, ascending=not question.metric.higher_is_better)
    alpha = question.alpha
    friedman_needs = needed(lambda n: smallest_friedman_p(n, arms), 1, alpha) if arms >= 3 else None
    reaches = friedman_needs is not None and cells_in >= friedman_needs
    posthoc_needs = needed(lambda n: smallest_posthoc_p(question.posthoc, n, arms), 1, alpha)
    return Ranking(
        scores=scores,
        ranks=ranks,
        left_out=left_out,
        friedman_p=friedman(scores) if reaches else None,
        friedman_needs=friedman_needs,
        pvalues=posthoc(scores, question.posthoc),
        posthoc_needs=posthoc_needs,
    )


def ranking_text(ranking: Ranking, question: Question) -> list[str]:
    """The ranking as a report says it: over how many cells, Friedman's test, the post-hoc test
    named, and what they can tell with this many cells."""
    cells_in, arms = ranking.scores.shape
    alpha = question.alpha
    lines = [
        f"{question.axis} ranked by {question.metric.label} (its mean over the seeds) in each of "
        f"{cells_in} cells ({', '.join(question.cells)}); rank 1 is the best, ties share a rank."
    ]
    if ranking.left_out:
        lines.append(
            f"Left out: {'; '.join(ranking.left_out)} (not every {question.axis} ran there)."
        )
    if arms < 3:
        lines.append("Friedman's test needs three values or more; the post-hoc test is the test.")
    elif ranking.friedman_p is None:
        need = ranking.friedman_needs
        lines.append(
            f"Friedman's test cannot reach p < {alpha:g} with {cells_in} cells"
            + (f" (it needs {need})." if need else ".")
        )
    else:
        differ = "the ranks differ" if ranking.friedman_p < alpha else "no difference shown"
        lines.append(f"Friedman's test: p = {ranking.friedman_p:.3g} ({differ} at {alpha:g}).")
    posthoc_name = POSTHOCS[question.posthoc]
    need = ranking.posthoc_needs
    if need is None or cells_in < need:
        lines.append(
            f"Post-hoc test: {posthoc_name}. With {cells_in} cells it cannot tell any two apart "
            f"at {alpha:g}"
            + (f": it needs {need} cells" if need else "")
            + "; the diagram joins them all."
        )
    else:
        lines.append(
            f"Post-hoc test: {posthoc_name}; the diagram joins those it cannot tell apart at "
            f"{alpha:g}."
        )
    return lines


def plot_cd_diagram(ranking: Ranking, question: Question) -> Figure:
    """The critical-difference diagram (scikit-posthocs): each value at its average rank, bars
    joining those the post-hoc test cannot tell apart; with Nemenyi's test, its critical
    difference in the title."""
    cells_in, arms = ranking.scores.shape
    figure = Figure(figsize=(7.5, 1.4 + 0.3 * arms), layout="constrained")
    ax = figure.add_subplot()
    posthocs.critical_difference_diagram(
        ranking.mean_ranks, ranking.pvalues, ax=ax, alpha=question.alpha
    )
    cd = critical_difference(cells_in, arms, question.alpha)
    test = f"Nemenyi, CD = {cd:.2f}" if question.posthoc == "nemenyi" else "Wilcoxon-Holm"
    figure.suptitle(
        f"{question.axis}: average rank by {question.metric.label} over {cells_in} cells "
        f"(1 = best)\nbars join those not distinguishable ({test}, alpha {question.alpha:g})",
        fontsize="small",
    )
    return figure
