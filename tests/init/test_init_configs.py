"""The `init` config group: each option sets conv and linear weights by its rule."""

import json
import math
from pathlib import Path

import pytest
import torch
from helpers import FAST, TINY_MODEL
from hydra.utils import instantiate
from torch import nn

from actlab.config import CONFIG_DIR
from actlab.config.build import build_model
from actlab.run.recipe import run

INITS = sorted(path.stem for path in (CONFIG_DIR / "init").glob("*.yaml"))
FAN_IN = 1000


def initialised(compose_run, init: str, activation: nn.Module, *overrides: str) -> nn.Sequential:
    """A wide linear layer, a conv layer and dropout, after `init=<init>`."""
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(FAN_IN, 400), activation, nn.Dropout(0.3), nn.Conv2d(10, 64, 10)
    )
    instantiate(compose_run(f"init={init}", *overrides).init)(model, activation)
    return model


def test_the_group_has_every_initialisation_the_studies_use() -> None:
    assert set(INITS) >= {
        "default", "zeros", "normal", "kaiming", "kaiming_uniform", "xavier", "xavier_uniform",
        "lecun_normal",
    }  # fmt: skip


@pytest.mark.parametrize("init", INITS)
def test_each_initialisation_trains_a_short_run(init: str, compose_run, tmp_path: Path) -> None:
    cfg = compose_run(
        "data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST, f"init={init}",
        "trainer.max_epochs=1", "+trainer.limit_train_batches=3",
    )  # fmt: skip
    run(cfg)
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["status"] == "ok"
    assert record["hparams"]["init"] == init


def test_default_keeps_pytorchs_own_initialisation(compose_run) -> None:
    torch.manual_seed(0)
    reference = nn.Linear(FAN_IN, 400)
    model = initialised(compose_run, "default", nn.ReLU())
    assert torch.equal(model[0].weight, reference.weight)
    assert torch.equal(model[0].bias, reference.bias)


@pytest.mark.parametrize(
    ("activation", "gain"),
    [(nn.ReLU(), math.sqrt(2)), (nn.Tanh(), 5 / 3), (nn.LeakyReLU(0.2), math.sqrt(2 / 1.04))],
)
def test_kaiming_follows_the_activations_gain(compose_run, activation, gain: float) -> None:
    model = initialised(compose_run, "kaiming", activation)
    assert model[0].weight.std().item() == pytest.approx(gain / math.sqrt(FAN_IN), rel=0.02)
    assert model[3].weight.std().item() == pytest.approx(gain / math.sqrt(1000), rel=0.05)
    assert not model[0].bias.any()


def test_kaiming_keeps_its_own_nonlinearity_where_pytorch_knows_no_gain(compose_run) -> None:
    model = initialised(compose_run, "kaiming", nn.GELU(), "init.weight.nonlinearity=linear")
    assert model[0].weight.std().item() == pytest.approx(1 / math.sqrt(FAN_IN), rel=0.02)


def test_kaiming_uniform_draws_from_the_uniform_bound(compose_run) -> None:
    model = initialised(compose_run, "kaiming_uniform", nn.ReLU())
    bound = math.sqrt(2) * math.sqrt(3 / FAN_IN)
    assert model[0].weight.abs().max().item() == pytest.approx(bound, rel=0.01)


def test_normal_takes_its_std(compose_run) -> None:
    model = initialised(compose_run, "normal", nn.ReLU(), "init.weight.std=0.5")
    assert model[0].weight.std().item() == pytest.approx(0.5, rel=0.02)


def test_xavier_scales_with_fan_in_and_fan_out(compose_run) -> None:
    model = initialised(compose_run, "xavier", nn.ReLU())
    assert model[0].weight.std().item() == pytest.approx(math.sqrt(2 / 1400), rel=0.02)


def test_zeros_keeps_every_unit_of_a_layer_the_same_through_training(compose_run) -> None:
    cfg = compose_run("model=mlp", "model.hidden=[8,8]", "activation=sigmoid", "init=zeros")
    model = build_model(cfg, (5,), num_classes=3)
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    inputs, labels = torch.randn(32, 5), torch.randint(3, (32,))
    for _ in range(5):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(inputs), labels).backward()
        optimizer.step()
    for layer in (model[1], model[4]):
        assert layer.weight.abs().sum() > 0  # it learned
        assert torch.equal(layer.weight, layer.weight[:1].expand_as(layer.weight))


@pytest.mark.parametrize(("activation", "alpha"), [(nn.SELU(), True), (nn.ReLU(), False)])
def test_lecun_normal_with_selu_swaps_in_alpha_dropout(compose_run, activation, alpha) -> None:
    model = initialised(compose_run, "lecun_normal", activation)
    assert model[0].weight.std().item() == pytest.approx(1 / math.sqrt(FAN_IN), rel=0.02)
    assert type(model[2]) is (nn.AlphaDropout if alpha else nn.Dropout)
    assert model[2].p == 0.3


def test_first_layers_sets_only_those_and_leaves_the_rest_to_pytorch(compose_run) -> None:
    # S3's initialisation part: the first layer's weight alone, every bias PyTorch's.
    model = initialised(compose_run, "zeros", nn.ReLU(), "init.first_layers=1", "init.bias=null")
    torch.manual_seed(0)
    default = nn.Sequential(
        nn.Linear(FAN_IN, 400), nn.ReLU(), nn.Dropout(0.3), nn.Conv2d(10, 64, 10)
    )
    assert not model[0].weight.any()
    assert torch.equal(model[0].bias, default[0].bias)
    assert torch.equal(model[3].weight, default[3].weight)
    assert torch.equal(model[3].bias, default[3].bias)
