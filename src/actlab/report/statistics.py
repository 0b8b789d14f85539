"""The statistics of a report, each done by a well-kept library: bootstrap intervals and paired
tests (scipy.stats), Holm's correction and the analysis of variance (statsmodels), the post-hoc
tests of a ranking (scikit-posthocs); and, for each test, the smallest p-value it can give with
the data at hand, found by giving the library the data most in the test's favour."""

import math
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import scikit_posthocs as posthocs
from scipy import stats
from statsmodels.formula.api import ols
from statsmodels.stats.anova import anova_lm
from statsmodels.stats.multitest import multipletests

CONFIDENCE = 0.95
"""The level of every interval in a report."""

BOOTSTRAP_SEED = 0
"""The random state of every bootstrap: the same runs give the same report."""

PAIRED_TESTS = {
    "wilcoxon": "Wilcoxon's signed-rank test",
    "t": "the paired t-test",
}
"""The tests of paired differences a report can use (`--test`), by name."""

POSTHOCS = {
    "wilcoxon": "pairwise Wilcoxon signed-rank tests over the cells, Holm-corrected "
    "(Benavoli et al., JMLR 2016)",
    "nemenyi": "Nemenyi's test on the mean ranks (Demšar, JMLR 2006)",
}
"""The post-hoc tests a ranking across cells can use (`--posthoc`), by name."""

MOST_PAIRS = 200
"""The most pairs (or cells) `needed` looks at before it says a test can never reach alpha."""


def mean_interval(values: np.ndarray) -> tuple[float, float]:
    """The 95% bootstrap confidence interval (scipy's BCa) of the mean of `values`; the value
    itself where they are all one, NaN with fewer than two."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return math.nan, math.nan
    if np.ptp(values) == 0:
        return float(values[0]), float(values[0])
    result = stats.bootstrap(
        (values,),
        np.mean,
        confidence_level=CONFIDENCE,
        rng=np.random.default_rng(BOOTSTRAP_SEED),
        vectorized=True,
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def paired_p(a: np.ndarray, b: np.ndarray, test: str) -> float:
    """The two-sided p-value of `test` (a name of `PAIRED_TESTS`) on the pairs `a`, `b`: 1 where
    they are equal pair by pair (no test can tell them apart), NaN with fewer than two pairs."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) < 2:
        return math.nan
    if np.array_equal(a, b):
        return 1.0
    if test == "wilcoxon":
        return float(stats.wilcoxon(a, b).pvalue)
    result = stats.ttest_rel(a, b).pvalue
    return 0.0 if math.isnan(result) else float(result)  # every difference the same, not 0


def holm(pvalues: list[float], alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Holm's step-down correction of `pvalues` (statsmodels): the corrected p-values, and
    whether each rejects at `alpha`."""
    reject, corrected, _, _ = multipletests(pvalues, alpha=alpha, method="holm")
    return corrected, reject


def smallest_paired_p(test: str, pairs: int) -> float:
    """The smallest p-value `test` can give with `pairs` pairs: its p on pairs that all differ
    one way, by distinct amounts (0 for the t-test from 2 pairs: it can be as small as any)."""
    if pairs < 2:
        return 1.0
    if test == "t":
        return 0.0
    return float(stats.wilcoxon(np.arange(1.0, pairs + 1)).pvalue)


def needed(smallest: Callable[[int], float], comparisons: int, alpha: float) -> int | None:
    """The fewest pairs (or cells) with which a test whose smallest p-value is `smallest(n)` (one
    that falls as n grows) can reject at `alpha` after Holm over `comparisons` (its first step
    compares the smallest p with alpha / comparisons); None where no number up to `MOST_PAIRS`
    does."""

    def enough(n: int) -> bool:
        return smallest(n) * comparisons <= alpha

    if not enough(MOST_PAIRS):
        return None
    too_few, high = 1, 2
    while not enough(high):
        too_few, high = high, min(2 * high, MOST_PAIRS)
    while high - too_few > 1:
        middle = (too_few + high) // 2
        too_few, high = (too_few, middle) if enough(middle) else (middle, high)
    return high


def friedman(table: pd.DataFrame) -> float:
    """Friedman's test (scipy) that the columns of `table` (one row per cell) rank alike."""
    return float(stats.friedmanchisquare(*table.to_numpy().T).pvalue)


def perfect_table(cells: int, arms: int) -> pd.DataFrame:
    """`cells` rows in which the `arms` columns rank the same way every time, and any two of them
    differ by another amount in each: the data most in favour of a ranking test."""
    return pd.DataFrame(np.outer(np.arange(1.0, cells + 1), np.arange(arms, dtype=float)))


def posthoc(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """The p-values of post-hoc test `name` (`POSTHOCS`) between every two columns of `table`
    (one row per cell), by scikit-posthocs: a symmetric frame, 1 on the diagonal and where a pair
    is the same in every cell."""
    if name == "nemenyi":
        matrix = posthocs.posthoc_nemenyi_friedman(table)
    else:
        long = table.reset_index(drop=True).melt(var_name="arm", value_name="value")
        with warnings.catch_warnings():  # a pair equal in every cell: NaN, made 1 below
            warnings.simplefilter("ignore", RuntimeWarning)
            matrix = posthocs.posthoc_wilcoxon(
                long, val_col="value", group_col="arm", p_adjust="holm"
            )
    matrix = matrix.loc[table.columns, table.columns].astype(float)
    return matrix.fillna(1.0)


def smallest_posthoc_p(name: str, cells: int, arms: int) -> float:
    """The smallest p-value post-hoc test `name` can give between two of `arms` over `cells`. For
    the pairwise Wilcoxon tests every pair of the most favourable data has one p-value, which
    Holm multiplies by the number of pairs."""
    if name == "wilcoxon":
        return min(1.0, smallest_paired_p("wilcoxon", cells) * arms * (arms - 1) / 2)
    matrix = posthoc(perfect_table(cells, arms), name).to_numpy()
    return float(matrix[~np.eye(arms, dtype=bool)].min())


def smallest_friedman_p(cells: int, arms: int) -> float:
    """The smallest p-value Friedman's test can give for `arms` over `cells`."""
    return friedman(perfect_table(cells, arms))


def critical_difference(cells: int, arms: int, alpha: float) -> float:
    """Nemenyi's critical difference of mean ranks (Demšar 2006): the studentized range's
    quantile (scipy) over sqrt(2), times sqrt(k (k + 1) / (6 N))."""
    q = stats.studentized_range.ppf(1 - alpha, arms, np.inf) / math.sqrt(2)
    return float(q * math.sqrt(arms * (arms + 1) / (6 * cells)))


def variance_shares(frame: pd.DataFrame, sources: list[str], value: str) -> dict[str, float]:
    """How much of the variance of `value` in `frame` each of `sources` explains: its sum of
    squares in a main-effects analysis of variance (statsmodels, type II) over the total sum of
    squares, and `rest` what none explains (their interactions, what no seed controls). Empty
    where the sources moved together (one's value fixing another's) or the runs are too few for
    the analysis to leave a residual."""
    names = {source: f"s{i}" for i, source in enumerate(sources)}
    data = frame[[*sources, value]].rename(columns={**names, value: "y"})
    for name in names.values():
        data[name] = data[name].map(str)
    total = float(((data["y"] - data["y"].mean()) ** 2).sum())
    model = ols("y ~ " + " + ".join(f"C({n})" for n in names.values()), data=data)
    rank, columns = np.linalg.matrix_rank(model.exog), model.exog.shape[1]
    if rank < columns or len(data) <= columns or total == 0:
        return {}
    table = anova_lm(model.fit(), typ=2)
    shares = {
        source: float(table.loc[f"C({name})", "sum_sq"]) / total for source, name in names.items()
    }
    return {**shares, "rest": float(table.loc["Residual", "sum_sq"]) / total}
