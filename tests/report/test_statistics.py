"""The report's statistics against scipy, autorank and published figures, on fixed data."""

import itertools

import numpy as np
import pandas as pd
import pytest
from autorank import autorank
from scipy import stats

from actlab.report.statistics import (
    critical_difference,
    friedman,
    holm,
    mean_interval,
    needed,
    paired_p,
    posthoc,
    smallest_friedman_p,
    smallest_paired_p,
    smallest_posthoc_p,
    variance_shares,
)

A = np.array([0.971, 0.975, 0.969, 0.980, 0.977, 0.973, 0.978])
B = np.array([0.962, 0.971, 0.960, 0.975, 0.970, 0.966, 0.969])


def test_the_interval_is_scipys_bca_bootstrap_with_a_fixed_random_state() -> None:
    expected = stats.bootstrap((A,), np.mean, rng=np.random.default_rng(0)).confidence_interval
    assert mean_interval(A) == pytest.approx((expected.low, expected.high))
    assert mean_interval(A) == mean_interval(A.copy())  # the same runs, the same report
    assert mean_interval(np.array([0.5, 0.5, 0.5])) == (0.5, 0.5)
    assert all(np.isnan(bound) for bound in mean_interval(np.array([0.5])))


def test_paired_tests_are_scipys() -> None:
    assert paired_p(A, B, "wilcoxon") == stats.wilcoxon(A, B).pvalue == pytest.approx(1 / 64)
    assert paired_p(A, B, "t") == stats.ttest_rel(A, B).pvalue
    assert paired_p(A, A, "wilcoxon") == paired_p(A, A, "t") == 1.0  # no difference at all
    assert np.isnan(paired_p(A[:1], B[:1], "wilcoxon"))


def test_holm_corrects_as_published() -> None:
    corrected, reject = holm([0.01, 0.04, 0.03], alpha=0.05)
    assert corrected == pytest.approx([0.03, 0.06, 0.06])
    assert list(reject) == [True, False, False]


def test_wilcoxon_needs_six_pairs_to_reach_005_and_more_after_holm() -> None:
    assert smallest_paired_p("wilcoxon", 5) == 0.0625
    assert smallest_paired_p("wilcoxon", 6) == 0.03125
    wilcoxon = lambda pairs: smallest_paired_p("wilcoxon", pairs)  # noqa: E731
    assert needed(wilcoxon, comparisons=1, alpha=0.05) == 6
    assert needed(wilcoxon, comparisons=4, alpha=0.05) == 8  # 0.0078 x 4 <= 0.05 < 0.0156 x 4
    assert needed(wilcoxon, comparisons=1, alpha=0.01) == 8
    assert needed(lambda pairs: smallest_paired_p("t", pairs), 4, 0.05) == 2
    assert needed(lambda pairs: 1.0, 1, 0.05) is None


def scores_table() -> pd.DataFrame:
    """Nine cells (rows) of five arms (columns) whose means differ, with noise."""
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        rng.normal(size=(9, 5)) * 0.6 + np.arange(5), columns=["a", "b", "c", "d", "e"]
    )


def test_friedman_and_nemenyi_agree_with_autorank() -> None:
    table = scores_table()
    ranked = autorank(table, alpha=0.05, verbose=False, force_mode="nonparametric")
    assert ranked.omnibus == "friedman" and ranked.posthoc == "nemenyi"
    assert friedman(table) == pytest.approx(ranked.pvalue)
    assert critical_difference(9, 5, 0.05) == pytest.approx(ranked.cd, rel=1e-4)  # its q table
    ours = table.rank(axis=1, ascending=False).mean()  # rank 1: the highest score
    assert ours.to_dict() == pytest.approx(ranked.rankdf["meanrank"].to_dict())
    # Nemenyi tells two arms apart exactly where their mean ranks differ by more than the CD.
    pvalues = posthoc(table, "nemenyi")
    for x, y in itertools.combinations(table.columns, 2):
        assert (pvalues.loc[x, y] < 0.05) == (abs(ours[x] - ours[y]) > ranked.cd)


def test_demsars_critical_difference() -> None:
    # Demšar (JMLR 2006), section 3.2.4: four classifiers on 14 data sets, CD = 1.25.
    assert critical_difference(14, 4, 0.05) == pytest.approx(1.25, abs=0.005)


def test_the_wilcoxon_posthoc_is_pairwise_wilcoxon_with_holm() -> None:
    table = scores_table()
    pairs = list(itertools.combinations(table.columns, 2))
    raw = [stats.wilcoxon(table[x], table[y]).pvalue for x, y in pairs]
    corrected, _ = holm(raw, 0.05)
    pvalues = posthoc(table, "wilcoxon")
    for (x, y), expected in zip(pairs, corrected, strict=True):
        assert pvalues.loc[x, y] == pvalues.loc[y, x] == pytest.approx(expected)
    assert (np.diag(pvalues) == 1).all()


def test_the_smallest_p_of_each_ranking_test_is_its_p_on_the_most_favourable_data() -> None:
    # Every cell ranks the arms alike: Friedman's statistic is its largest, N (k - 1).
    assert smallest_friedman_p(6, 5) == pytest.approx(stats.chi2.sf(6 * 4, 4))
    # Wilcoxon over 9 cells: 2 / 2^9 each, times Holm's 10 pairs.
    assert smallest_posthoc_p("wilcoxon", 9, 5) == pytest.approx(10 * 2 / 2**9)
    assert smallest_posthoc_p("wilcoxon", 3, 5) == 1.0
    assert 0 < smallest_posthoc_p("nemenyi", 3, 5) < 0.05


def test_variance_shares_are_each_seeds_part_of_the_sum_of_squares() -> None:
    # A balanced design: y = 2 * seed + split, every combination twice, +-0.1 apart.
    rows = [
        {"seed": seed, "split": split, "y": 2 * seed + split + noise}
        for seed, split, noise in itertools.product(range(3), range(2), (-0.1, 0.1))
    ]
    frame = pd.DataFrame(rows)
    total = ((frame.y - frame.y.mean()) ** 2).sum()
    by_seed = frame.groupby("seed").y.mean()
    by_split = frame.groupby("split").y.mean()
    shares = variance_shares(frame, ["seed", "split"], "y")
    assert shares["seed"] == pytest.approx(4 * ((by_seed - frame.y.mean()) ** 2).sum() / total)
    assert shares["split"] == pytest.approx(6 * ((by_split - frame.y.mean()) ** 2).sum() / total)
    assert shares["rest"] == pytest.approx(12 * 0.1**2 / total)
    assert sum(shares.values()) == pytest.approx(1)
    # Seeds that moved together cannot be told apart.
    assert variance_shares(frame.assign(split=frame.seed), ["seed", "split"], "y") == {}
