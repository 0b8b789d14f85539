"""The summary over seeds, on a table of runs made here: no run is left out of it."""

import pandas as pd

from actlab.report.summary import report_markdown, summarise, swept_axes


def runs_table() -> pd.DataFrame:
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
                "monitor": "val/acc", "epochs": 10, "best_epoch": 9, "num_params": 1,
                "wall_time_s": 1.0, "best_val/acc": accuracy, "last_val/acc": accuracy,
                "test/acc": accuracy + seed / 1000, "val_loss_area": 1.0,
            })  # fmt: skip
    return pd.DataFrame(rows)


def test_a_run_without_a_value_of_a_swept_axis_is_summarised_not_dropped() -> None:
    runs = runs_table()
    axes = swept_axes(runs)
    assert axes == ["arm", "regularization"]
    table = summarise(runs, axes)
    assert table["runs"].sum() == len(runs) == 6
    assert list(table["arm"]) == ["none", "dropout", "batchnorm"]
    text = report_markdown(runs, axes, [])
    row = "| batchnorm | - | 2 | 2 | 0.953 +- 0 | 0.953 +- 0 | 9 +- 0 | 1 +- 0 | 0.9545 +- 0.0007"
    assert row in text


def test_the_summary_counts_the_runs_that_early_stopping_ended() -> None:
    runs = runs_table().assign(stopped_early_epoch=[None, None, 4, 6, None, 3])
    table = summarise(runs, swept_axes(runs)).set_index("arm")
    assert list(table["stopped early"]) == [0, 2, 1]
    assert table.loc["dropout", "stopped at epoch mean"] == 5
    assert "stopped early" not in summarise(runs_table(), ["arm"])
