"""Where the spread comes from, on runs whose seeds were varied apart with known effects."""

import itertools

import pandas as pd
import pytest
from tables import runs_table

from actlab.report.comparisons import compare
from actlab.report.question import ask
from actlab.report.spread import spread, spread_text
from actlab.report.statistics import variance_shares
from actlab.report.summary import swept_axes


def seeds_apart(split: float, moved_together: bool = False) -> pd.DataFrame:
    """Two activations, seeds 0-3 x splits 0-2: the seed moves the score by 0.01 a step, the
    split by `split`, and a fixed wobble does the rest."""
    frames = []
    for activation, base in (("relu", 0.95), ("gelu", 0.96)):
        pairs = list(itertools.product(range(4), range(3)))
        wobble = [0.001 * ((3 * s + 5 * k) % 4) for s, k in pairs]
        scores = [base + 0.01 * s + split * k + w for (s, k), w in zip(pairs, wobble, strict=True)]
        frame = runs_table({activation: scores}, seeds=[s for s, _ in pairs])
        frame["data.split_seed"] = [s if moved_together else k for s, k in pairs]
        frames.append(frame)
    runs = pd.concat(frames, ignore_index=True)
    runs["job"] = [str(job) for job in range(len(runs))]
    return runs


def test_each_varied_seeds_share_of_the_variance_within_each_arm() -> None:
    runs = seeds_apart(split=0.002)
    question = ask(runs, swept_axes(runs))
    assert question.seeds == ["seed", "data.split_seed"] and question.cells == []
    table = spread(runs, question).set_index("activation")
    relu = runs[runs.activation == "relu"]
    expected = variance_shares(relu, ["seed", "data.split_seed"], "best_val/acc")
    assert table.loc["relu", ["seed", "data.split_seed", "rest"]].to_dict() == pytest.approx(
        expected
    )
    assert table.loc["relu", "seed"] > 0.9 > 0.05 > table.loc["relu", "data.split_seed"] > 0
    (line,) = spread_text(table.reset_index(), question)
    assert line.startswith(
        "Of the variance of best val/acc within an arm (mean over 2 arms; an analysis of "
        f"variance of main effects, type II): seed (the weights, dropout and augmentation) "
        f"{table['seed'].mean():.0%}, data.split_seed (the validation split) "
    )
    # Both arms ran every seed and split: the comparison pairs the 12 runs of each.
    assert compare(runs, question).pairs.item() == 12


def test_seeds_that_moved_together_cannot_be_told_apart() -> None:
    runs = seeds_apart(split=0.002, moved_together=True)
    question = ask(runs, swept_axes(runs))
    table = spread(runs, question)
    assert table[["seed", "data.split_seed", "rest"]].isna().all().all()  # no arm has shares
    (line,) = spread_text(table, question)
    assert "moved together in every arm, or the arms have too few runs" in line


def test_one_varied_seed_has_no_spread_section() -> None:
    runs = runs_table({"relu": [0.97, 0.98, 0.975]})
    assert spread(runs, ask(runs, swept_axes(runs))).empty
