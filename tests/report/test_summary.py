"""The summary over seeds, on a table of runs made here: no run is left out of it; its intervals
are scipy's bootstrap; sweeps are told apart only where they repeat a run."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from tables import runs_table

from actlab.report.summary import markdown_table, summarise, swept_axes


def arms_table() -> pd.DataFrame:
    """Six finished runs of three arms x two seeds; one arm chose several options of a group at
    once (`regularization=[batchnorm,dropout]`), which Hydra's choices do not record."""
    rows = []
    for arm, regularization, accuracy in [
        ("none", "none", 0.93),
        ("dropout", "dropout", 0.935),
        ("batchnorm", None, 0.953),
    ]:
        for seed in (1, 2):
            rows.append({
                "sweep": "s", "job": f"{arm}{seed}", "arm": arm,
                "regularization": regularization, "seed": seed, "status": "ok", "reason": None,
                "monitor": "val/acc", "mode": "max", "epochs": 10, "best_epoch": 9,
                "tested": "last", "num_params": 1,
                "wall_time_s": 1.0, "best_val/acc": accuracy, "last_val/acc": accuracy,
                "test/acc": accuracy + seed / 1000, "val_loss_area": 1.0,
            })  # fmt: skip
    return pd.DataFrame(rows)


def test_a_run_without_a_value_of_a_swept_axis_is_summarised_not_dropped() -> None:
    runs = arms_table()
    axes = swept_axes(runs)
    assert axes == ["arm", "regularization"]
    table = summarise(runs, axes)
    assert table["runs"].sum() == len(runs) == 6
    assert list(table["arm"]) == ["none", "dropout", "batchnorm"]
    text = markdown_table(table)
    assert (
        "| arm | regularization | runs | ok | best val/acc [95% CI] | test acc [95% CI] |" in text
    )
    row = "| batchnorm | - | 2 | 2 | 0.953 [0.953, 0.953] | 0.9545 [0.954, 0.955] | 1 [1, 1] |"
    assert row in text
    assert text.splitlines()[-1].endswith("| 0.953 +- 0 | 9 +- 0 | last |")


def test_the_summary_counts_the_runs_that_early_stopping_ended() -> None:
    runs = arms_table().assign(stopped_early_epoch=[None, None, 4, 6, None, 3])
    table = summarise(runs, swept_axes(runs)).set_index("arm")
    assert list(table["stopped early"]) == [0, 2, 1]
    assert table.loc["dropout", "stopped at epoch mean"] == 5
    assert "stopped early" not in summarise(arms_table(), ["arm"])


def test_each_mean_has_its_bootstrap_interval_and_its_count_of_seeds() -> None:
    scores = [0.971, 0.975, 0.969, 0.980, 0.977]
    table = summarise(runs_table({"relu": scores}), ["activation"])
    (row,) = table.to_dict("records")
    expected = stats.bootstrap((np.array(scores),), np.mean, rng=np.random.default_rng(0))
    interval = expected.confidence_interval
    assert row["ok"] == 5 and row["best val/acc mean"] == pytest.approx(np.mean(scores))
    assert (row["best val/acc ci low"], row["best val/acc ci high"]) == pytest.approx(
        (interval.low, interval.high)
    )


def test_sweeps_are_an_axis_only_where_they_repeat_a_run() -> None:
    first = runs_table({"relu": [0.97, 0.98], "gelu": [0.96, 0.97]}, sweep="a")
    more_seeds = runs_table({"relu": [0.975], "gelu": [0.965]}, sweep="b", seeds=[2])
    assert swept_axes(pd.concat([first, more_seeds])) == ["activation"]  # one study
    again = runs_table({"relu": [0.97, 0.98], "gelu": [0.96, 0.97]}, sweep="b")
    assert swept_axes(pd.concat([first, again])) == ["sweep", "activation"]
