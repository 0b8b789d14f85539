"""The ranking across cells, its tests and its diagram, on tables of runs with known results."""

import numpy as np
import pandas as pd
import pytest
from autorank import autorank
from tables import runs_table

from actlab.report.question import ask
from actlab.report.ranking import plot_cd_diagram, rank, ranking_text
from actlab.report.summary import swept_axes

ACTIVATIONS = ["softmax", "sigmoid", "tanh", "relu", "gelu"]


def grid(cells: int, seeds: int = 3) -> pd.DataFrame:
    """Five activations in `cells` cells (`model=m0, m1...`), `seeds` runs each: their scores
    rise with their place in `ACTIVATIONS`, with noise."""
    rng = np.random.default_rng(7)
    return pd.concat(
        runs_table(
            {
                a: list(0.5 + 0.1 * i + rng.normal(0, 0.05, seeds))
                for i, a in enumerate(ACTIVATIONS)
            },
            model=f"m{cell}",
        )
        for cell in range(cells)
    )


def test_mean_ranks_over_the_cells_are_autoranks_and_the_best_ranks_first() -> None:
    runs = grid(9)
    question = ask(runs, swept_axes(runs), posthoc="nemenyi")
    assert question.cells == ["model"]
    ranking = rank(runs, question)
    means = runs.groupby(["model", "activation"])["best_val/acc"].mean().unstack()
    ranked = autorank(means, verbose=False, force_mode="nonparametric", order="descending")
    assert ranking.mean_ranks.to_dict() == pytest.approx(ranked.rankdf["meanrank"].to_dict())
    assert ranking.mean_ranks.index[0] == "gelu" and ranking.mean_ranks.index[-1] == "softmax"
    assert ranking.friedman_p == pytest.approx(ranked.pvalue)
    text = " ".join(ranking_text(ranking, question))
    assert f"Friedman's test: p = {ranked.pvalue:.3g} (the ranks differ at 0.05)." in text
    assert "Post-hoc test: Nemenyi's test on the mean ranks (Demšar, JMLR 2006)" in text
    figure = plot_cd_diagram(ranking, question)
    assert "average rank by best val/acc over 9 cells" in figure.texts[0].get_text()


def test_too_few_cells_for_a_test_are_said_and_no_p_value_is_given() -> None:
    runs = grid(3)
    question = ask(runs, swept_axes(runs))
    ranking = rank(runs, question)
    assert ranking.friedman_p is not None  # 3 cells of 5 can reach 0.05 (0.017 at best)
    text = " ".join(ranking_text(ranking, question))
    assert (
        "Post-hoc test: pairwise Wilcoxon signed-rank tests over the cells, Holm-corrected "
        "(Benavoli et al., JMLR 2016). With 3 cells it cannot tell any two apart at 0.05: it "
        "needs 9 cells; the diagram joins them all." in text
    )
    assert (ranking.pvalues == 1).all().all()
    two = grid(2)
    ranking = rank(two, ask(two, swept_axes(two)))
    assert ranking.friedman_p is None
    assert "Friedman's test cannot reach p < 0.05 with 2 cells (it needs 3)." in " ".join(
        ranking_text(ranking, ask(two, swept_axes(two)))
    )


def test_a_cell_where_some_value_did_not_run_is_left_out_by_name() -> None:
    runs = grid(3)
    runs = runs[~((runs.model == "m1") & (runs.activation == "tanh"))]
    question = ask(runs, swept_axes(runs))
    ranking = rank(runs, question)
    assert list(ranking.scores.index) == ["model=m0", "model=m2"]
    assert ranking.left_out == ["model=m1"]
    assert "Left out: model=m1 (not every activation ran there)." in ranking_text(ranking, question)


def test_one_cell_has_no_ranking() -> None:
    runs = grid(1)
    assert rank(runs, ask(runs, swept_axes(runs))) is None
