"""What a report asks of a sweep: which values of one axis score better, on which metric, in
which cells, against which baseline, by which test at which level; each choice checked by name."""

from dataclasses import dataclass

import pandas as pd

from actlab.report.statistics import PAIRED_TESTS, POSTHOCS
from actlab.report.summary import independent_axes, monitored, seed_columns
from actlab.utils.errors import UserError


@dataclass(frozen=True)
class Metric:
    """A result column of the runs' table that a report compares them on."""

    column: str
    label: str
    higher_is_better: bool
    what: str  # a sentence's worth on what it is

    def better(self, a: float, b: float) -> bool:
        """Whether the value `a` is better than `b`."""
        return a > b if self.higher_is_better else a < b


METRICS = ("val", "test", "loss_area")
"""What a report can compare runs on (`--metric`): the monitored validation metric at each run's
best epoch (the default: the test set never chooses), the test accuracy of the weights each run
tested, and the area under the validation loss (how fast it converged, as S2 compares it)."""


def metric_of(runs: pd.DataFrame, name: str) -> Metric:
    """The `Metric` that `name` (one of `METRICS`) is in these runs."""
    if name == "test":
        what = "the test accuracy of the weights each run tested"
        return Metric("test/acc", "test acc", True, what)
    if name == "loss_area":
        what = "the area under each run's validation loss, one unit per epoch: lower is faster"
        return Metric("val_loss_area", "val loss area", False, what)
    monitor = monitored(runs)
    modes = runs.loc[runs["monitor"] == monitor, "mode"].dropna()
    higher = modes.mode().iloc[0] == "max" if len(modes) else not monitor.endswith("loss")
    what = f"the monitored {monitor} at each run's best epoch"
    return Metric(f"best_{monitor}", f"best {monitor}", bool(higher), what)


@dataclass(frozen=True)
class Question:
    """Which values of `axis` score better on `metric`, in each combination of the `cells`
    axes: against `baseline` (None: each cell's best mean), runs paired by their `seeds` (the
    seed columns of the runs), by the paired `test` at level `alpha`; across cells ranked with
    the post-hoc test `posthoc`."""

    metric: Metric
    axis: str | None
    cells: list[str]
    seeds: list[str]
    baseline: str | None
    test: str
    alpha: float
    posthoc: str

    @property
    def arm(self) -> list[str]:
        """The columns that name an arm: its cell's and its value of the axis."""
        return [*self.cells, *([self.axis] if self.axis else [])]


def ask(
    runs: pd.DataFrame,
    axes: list[str],
    metric: str = "val",
    axis: str | None = None,
    baseline: str | None = None,
    test: str = "wilcoxon",
    alpha: float = 0.05,
    posthoc: str = "wilcoxon",
) -> Question:
    """The question these runs (whose swept `axes` are given) answer: compare the values of
    `axis` (default: the activation where it was swept, else the first swept axis but the
    sweep) within each combination of the other axes (those not fixed by `axis`). Raises
    `UserError`, naming the valid choices, for a bad one."""
    choices = {"metric": (metric, METRICS), "test": (test, PAIRED_TESTS)}
    choices["posthoc"] = (posthoc, POSTHOCS)
    for option, (value, valid) in choices.items():
        if value not in valid:
            raise UserError(f"--{option} {value} is not one of {', '.join(valid)}")
    if not 0 < alpha < 1:
        raise UserError(f"--alpha {alpha} is not a level between 0 and 1 (0.05, 0.01...)")
    if axis is None:
        compared = [a for a in axes if a != "sweep"] or axes
        axis = "activation" if "activation" in axes else (compared[0] if compared else None)
    elif axis not in axes:
        raise UserError(
            f"--compare {axis} is not an axis these runs sweep: they sweep "
            + (", ".join(axes) or "nothing")
        )
    if baseline is not None:
        values = [] if axis is None else runs[axis].map(str).unique().tolist()
        if baseline not in values:
            raise UserError(
                f"--baseline {baseline} is not a value of {axis or 'a swept axis'}: "
                + (", ".join(values) or "nothing was swept")
            )
    kept = independent_axes(runs, [axis, *(a for a in axes if a != axis)]) if axis else []
    return Question(
        metric=metric_of(runs, metric),
        axis=axis,
        cells=[a for a in kept if a != axis],
        seeds=seed_columns(runs),
        baseline=baseline,
        test=test,
        alpha=alpha,
        posthoc=posthoc,
    )
