"""Per-layer values of adaptive activations in TensorBoard and adaptive_params.csv."""

import csv
import json
from functools import partial
from pathlib import Path

import pytest
import torch
from helpers import ACTIVATIONS, FAST, TINY_MODEL, activation_class
from hydra.utils import instantiate
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch import nn

from actlab.activations.registry import KINDS, learned_values
from actlab.run.recipe import run
from actlab.training.classifier import Classifier


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open() as file:
        return list(csv.DictReader(file))


@pytest.fixture
def mixture_run(compose_run, data_dir: Path, tmp_path: Path) -> Path:
    """Two epochs of a tiny LeNet on MNIST with adaptive_mix; the run directory."""
    run(
        compose_run(
            "data=mnist", "model=lenet", *TINY_MODEL["lenet"], *FAST, "activation=adaptive_mix"
        )
    )
    return tmp_path / "run"


def test_the_csv_has_one_row_per_activation_site(mixture_run: Path) -> None:
    rows = read_csv(mixture_run / "adaptive_params.csv")
    # LeNet: one activation after each of its 2 convolutions and its 2 hidden layers.
    assert len(rows) == 4
    assert len({row["layer"] for row in rows}) == 4
    assert list(rows[0])[:4] == ["layer", "X", "Y", "Z"]
    assert {"X.a", "X.d", "Y.b", "Z.c"} <= set(rows[0])
    for row in rows:
        assert float(row["X"]) + float(row["Y"]) + float(row["Z"]) == pytest.approx(1.0, abs=1e-5)
    assert any(float(row["X"]) != pytest.approx(1 / 3, abs=1e-7) for row in rows)  # they trained


def test_tensorboard_holds_each_value_at_the_start_and_after_every_epoch(mixture_run: Path) -> None:
    events = EventAccumulator(str(mixture_run / "tensorboard")).Reload()
    tags = [tag for tag in events.Tags()["scalars"] if tag.startswith("~adaptive/")]
    rows = read_csv(mixture_run / "adaptive_params.csv")
    assert len(tags) == len(rows) * 15  # X, Y, Z and the 3 components' a, b, c, d
    for row in rows:
        curve = events.Scalars(f"~adaptive/{row['layer']}/X")
        assert curve[0].step == 0 and curve[0].value == pytest.approx(1 / 3)
        assert len(curve) == 3
        assert curve[-1].value == pytest.approx(float(row["X"]))
    record = json.loads((mixture_run / "metrics.json").read_text())
    assert not any(key.startswith("adaptive/") for key in record["history"][0])


def test_per_channel_values_are_created_before_training(compose_run, data_dir, tmp_path) -> None:
    cfg = compose_run(
        "data=mnist", "model=lenet", *TINY_MODEL["lenet"], *FAST,
        "activation=atanh", "activation.granularity=channel",
    )  # fmt: skip
    run(cfg)
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["status"] == "ok"
    rows = read_csv(tmp_path / "run" / "adaptive_params.csv")
    assert [row["layer"] for row in rows] == [
        "features.act1",
        "features.act2",
        "classifier.act1",
        "classifier.act2",
    ]


def test_a_run_without_learnable_activations_writes_no_csv(compose_run, tmp_path) -> None:
    run(
        compose_run("data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST, "activation=gelu")
    )
    assert (tmp_path / "run" / "metrics.json").exists()
    assert not (tmp_path / "run" / "adaptive_params.csv").exists()


def test_prelu_slopes_are_logged_per_layer_too(compose_run, tmp_path) -> None:
    run(
        compose_run(
            "data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST, "activation=prelu"
        )
    )
    rows = read_csv(tmp_path / "run" / "adaptive_params.csv")
    assert [row["layer"] for row in rows] == ["act1", "act2"]  # the two hidden layers
    assert all(float(row["weight"]) != 0.25 for row in rows)  # learned from PReLU's 0.25


LEARNABLE = [
    name
    for name in ACTIVATIONS
    if any(kind.learnable for cls in activation_class(name).__mro__ if (kind := KINDS.get(cls)))
]
"""Every option of the activation group that learns values of its own: from conf/activation/."""


@pytest.mark.parametrize("name", LEARNABLE)
def test_every_learnable_option_trains_in_its_own_group_and_is_logged_per_layer(
    compose_run, tmp_path, name: str
) -> None:
    cfg = compose_run(
        "data=breast_cancer",
        "model=mlp",
        *TINY_MODEL["mlp"],
        *FAST,
        f"activation={name}",
        "trainer.max_epochs=1",
    )
    factory = instantiate(cfg.activation)  # as the run builds its sites
    run(cfg)
    rows = read_csv(tmp_path / "run" / "adaptive_params.csv")
    assert [row["layer"] for row in rows] == ["act1", "act2"]
    site = factory()
    site(torch.zeros(1, 4))  # per-channel values are created by the first pass
    start = learned_values(site)
    for row in rows:  # every value, per layer, moved from its start
        assert list(row)[1:] == list(start)
        assert any(float(row[key]) != pytest.approx(value) for key, value in start.items())
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["activation_params"] > 0
    classifier = Classifier(
        nn.Sequential(nn.Linear(3, 4), factory(), nn.Linear(4, 2)),
        2,
        partial(torch.optim.SGD, lr=0.1, weight_decay=0.1),
    )
    classifier.model(torch.zeros(1, 3))  # per-channel values are created by the first pass
    _, group = classifier.configure_optimizers().param_groups
    assert {id(p) for p in group["params"]} == {id(p) for p in classifier.model[1].parameters()}
    assert group["weight_decay"] == 0.0
