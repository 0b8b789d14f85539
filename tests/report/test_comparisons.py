"""Paired comparisons and their verdicts, on tables of runs with known results."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from tables import runs_table

from actlab.report.comparisons import compare, verdicts
from actlab.report.question import ask
from actlab.report.summary import swept_axes
from actlab.utils.errors import UserError

RELU = [0.971, 0.975, 0.969, 0.980, 0.977, 0.973, 0.978]
GELU = [0.972, 0.974, 0.971, 0.979, 0.978, 0.972, 0.979]  # relu's, give or take a unit
SIGMOID = [0.962, 0.971, 0.960, 0.975, 0.970, 0.966, 0.969]  # below relu in every seed


def answer(runs: pd.DataFrame, **question: object) -> tuple[pd.DataFrame, list[str]]:
    asked = ask(runs, swept_axes(runs), **question)
    comparisons = compare(runs, asked)
    return comparisons, verdicts(runs, comparisons, asked)


def test_an_arm_worse_in_every_seed_is_worse_and_one_alike_is_not_distinguishable() -> None:
    runs = runs_table({"relu": RELU, "gelu": GELU, "sigmoid": SIGMOID})
    comparisons, (paragraph,) = answer(runs, baseline="relu")
    rows = comparisons.set_index("activation")
    assert list(rows.index) == ["gelu", "sigmoid"] and set(rows.baseline) == {"relu"}
    sigmoid = rows.loc["sigmoid"]
    assert sigmoid.p == stats.wilcoxon(SIGMOID, RELU).pvalue == 1 / 64
    assert sigmoid["p holm"] == 2 / 64 and sigmoid.verdict == "worse"
    assert sigmoid.difference == pytest.approx(np.mean(np.subtract(SIGMOID, RELU)))
    assert sigmoid["difference ci high"] < 0 and sigmoid["P(better)"] == 0
    assert sigmoid.pairs == 7 and sigmoid.needed == 7  # Holm over two needs 7 pairs
    assert rows.loc["gelu", "verdict"] == "not distinguishable"
    assert rows.loc["gelu", "P(better)"] == pytest.approx(4 / 7)
    assert paragraph == (
        "**all runs**, best val/acc against relu, Wilcoxon's signed-rank test, Holm over 2 "
        "comparisons, alpha 0.05: sigmoid is worse than relu; gelu is not distinguishable from "
        "relu with 7 seeds."
    )


def test_the_default_baseline_is_the_best_mean_and_better_arms_are_named() -> None:
    runs = runs_table({"sigmoid": SIGMOID, "relu": RELU, "gelu": GELU})
    comparisons, (paragraph,) = answer(runs)
    assert set(comparisons.baseline) == {"gelu"}  # the best mean
    assert "against gelu (the best mean)" in paragraph
    runs = runs_table({"sigmoid": SIGMOID, "relu": RELU})
    _, (paragraph,) = answer(runs, baseline="sigmoid", test="t")
    assert "relu is better than sigmoid" in paragraph and "the paired t-test" in paragraph


def test_with_too_few_seeds_there_is_no_p_value_and_one_line_says_how_many_to_run() -> None:
    runs = runs_table({"relu": RELU[:3], "sigmoid": SIGMOID[:3]}, seeds=[1, 2, 3])
    comparisons, (paragraph,) = answer(runs, baseline="relu")
    (row,) = comparisons.to_dict("records")
    assert row["verdict"] == "too few seeds" and np.isnan(row["p"]) and np.isnan(row["p holm"])
    assert row["difference ci low"] < row["difference"] < row["difference ci high"]  # intervals
    assert (
        "With 3 paired seeds Wilcoxon's signed-rank test cannot reach p < 0.05 after Holm over 1 "
        "comparison (it needs 6): run seed=4,5,6 for a verdict on sigmoid" in paragraph
    )
    # The paired t-test can be small with 2 pairs: it tests, and says so.
    comparisons, _ = answer(runs, baseline="relu", test="t")
    assert comparisons.verdict.item() == "worse"


def test_runs_pair_by_seed_and_failed_runs_are_left_out_by_name() -> None:
    relu, sigmoid = [*RELU, 0.974], [*SIGMOID, 0.968]  # 8 seeds
    runs = runs_table({"relu": relu, "sigmoid": sigmoid})
    runs.loc[runs.job == "sigmoid-3-11", ["status", "reason"]] = ["diverged", "loss nan"]
    runs = runs[runs.job != "relu-6-6"]  # relu never ran seed 6
    comparisons, (paragraph,) = answer(runs, baseline="relu")
    assert comparisons.pairs.item() == 6  # seeds 0-7 but 3 and 6
    kept = [0, 1, 2, 4, 5, 7]
    assert (
        comparisons.p.item() == stats.wilcoxon(np.take(sigmoid, kept), np.take(relu, kept)).pvalue
    )
    assert "Left out of the tests: s/sigmoid-3-11 (activation=sigmoid: diverged)." in paragraph


def test_each_cell_has_its_own_comparisons_and_a_lower_metric_is_better_when_lower() -> None:
    runs = pd.concat([
        runs_table({"relu": RELU, "sigmoid": SIGMOID}, model="mlp"),
        runs_table({"relu": SIGMOID, "sigmoid": RELU}, model="lenet"),
    ])  # fmt: skip
    comparisons, paragraphs = answer(runs, baseline="relu", metric="loss_area")
    verdict = comparisons.set_index("model").verdict
    # The loss area falls as the score rises: lower is better.
    assert verdict.to_dict() == {"mlp": "worse", "lenet": "better"}
    assert paragraphs[0].startswith("**model=mlp**, val loss area against relu")
    assert "sigmoid is better than relu" in paragraphs[1]


def test_bad_choices_are_refused_by_name() -> None:
    runs = runs_table({"relu": RELU, "sigmoid": SIGMOID})
    axes = swept_axes(runs)
    with pytest.raises(UserError, match="--baseline tanh is not a value of activation: relu, "):
        ask(runs, axes, baseline="tanh")
    with pytest.raises(UserError, match="--compare model is not an axis these runs sweep: they "
                                        "sweep activation"):  # fmt: skip
        ask(runs, axes, axis="model")
    with pytest.raises(UserError, match="--metric f1 is not one of val, test, loss_area"):
        ask(runs, axes, metric="f1")
