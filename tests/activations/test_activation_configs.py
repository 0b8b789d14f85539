"""The `activation` config group: every option is a factory of fresh modules."""

import pytest
import torch
from helpers import ACTIVATIONS, activation_factory
from omegaconf import OmegaConf
from torch import nn

from actlab.config import CONFIG_DIR


def test_the_group_has_every_activation_the_studies_compare() -> None:
    assert set(ACTIVATIONS) >= {
        "relu", "leaky_relu", "prelu", "elu", "celu", "selu", "gelu", "gelu_tanh", "silu",
        "swish", "mish", "sigmoid", "tanh", "softplus", "hardswish", "softmax",
    }  # fmt: skip


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_each_activation_builds_a_fresh_module_at_every_call(name: str) -> None:
    factory = activation_factory(name)
    first, second = factory(), factory()
    assert isinstance(first, nn.Module)
    assert first is not second
    z = torch.randn(4, 3, 5, 5)
    assert first(z).shape == z.shape


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_each_activation_config_is_a_partial_target_or_an_alias(name: str) -> None:
    cfg = OmegaConf.load(CONFIG_DIR / "activation" / f"{name}.yaml")
    assert ("_target_" in cfg and cfg._partial_) or list(cfg.keys()) == ["defaults"]


def test_leaky_relu_slope_is_configurable() -> None:
    act = activation_factory("leaky_relu", "negative_slope=0.002")()
    assert act(torch.tensor([-1.0])).item() == pytest.approx(-0.002)


def test_gelu_tanh_uses_the_tanh_approximation() -> None:
    z = torch.linspace(-3, 3, 7)
    exact, approx = activation_factory("gelu")(), activation_factory("gelu_tanh")()
    assert torch.equal(approx(z), nn.functional.gelu(z, approximate="tanh"))
    assert not torch.equal(exact(z), approx(z))


def test_swish_is_silu() -> None:
    assert isinstance(activation_factory("swish")(), nn.SiLU)


def test_softmax_normalises_over_the_feature_dimension() -> None:
    out = activation_factory("softmax")()(torch.randn(2, 6, 3, 3))
    assert torch.allclose(out.sum(dim=1), torch.ones(2, 3, 3))
