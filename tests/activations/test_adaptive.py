"""S2's adaptive activations and mixtures, built from their configs as a run builds them."""

import io
import math

import pytest
import torch
from formulas import FORMULAS
from helpers import ACTIVATIONS, activation_class, activation_factory
from torch import nn

from actlab.activations import activation_parameters
from actlab.activations.adaptive import AdaptiveActivation
from actlab.activations.sites import activation_sites, learnable_sites
from actlab.models.shapes import materialize

ADAPTIVE = [name for name in ACTIVATIONS if issubclass(activation_class(name), AdaptiveActivation)]
"""Every option of the group whose values are learned per layer or channel (S2's and the
parametric families): from conf/activation/."""


def start(name: str, z: torch.Tensor) -> torch.Tensor:
    """What the adaptive activation `name` equals at its start: its formula (formulas.py)."""
    return z.double().apply_(FORMULAS[name]).to(z.dtype)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def set_values(module: nn.Module, **values: float | list[float]) -> None:
    with torch.no_grad():
        for name, value in values.items():
            module.get_parameter(name).copy_(torch.tensor(value))


@pytest.mark.parametrize(
    ("name", "z", "expected"),
    [
        # a=2, b=3, c=0.5, d=-1 at z=0.25: b*f(a*z + c) + d = 3*f(1) - 1
        ("asigmoid", 0.25, 3 * sigmoid(1.0) - 1),
        ("atanh", 0.25, 3 * math.tanh(1.0) - 1),
        # max(2*0.25 + 0.5, 3*0.25 - 1) = max(1.0, -0.25)
        ("arelu", 0.25, 1.0),
        # max(2*(-2) + 0.5, 3*(-2) - 1) = max(-3.5, -7)
        ("arelu", -2.0, -3.5),
    ],
)
def test_each_formula_matches_a_hand_computed_value(name: str, z: float, expected: float) -> None:
    act = activation_factory(name)()
    set_values(act, a=2.0, b=3.0, c=0.5, d=-1.0)
    assert act(torch.tensor([z])).item() == pytest.approx(expected, rel=1e-6)


def test_adaptive_mix_weighs_its_adaptive_components_by_normalised_weights() -> None:
    mix = activation_factory("adaptive_mix")()
    set_values(mix, weight=[1.0, 2.0, 5.0], **{"components.X.a": 2.0, "components.Z.d": 0.5})
    z = 0.25
    # X = 1/8 of ATanh (a=2), Y = 2/8 of the sigmoid, Z = 5/8 of max(z, 0.5)
    expected = math.tanh(0.5) / 8 + 2 * sigmoid(z) / 8 + 5 * 0.5 / 8
    assert mix(torch.tensor([z])).item() == pytest.approx(expected, rel=1e-6)


def test_fixed_mix_weighs_tanh_sigmoid_and_relu() -> None:
    mix = activation_factory("fixed_mix")()
    set_values(mix, weight=[3.0, 0.0, 1.0])
    z = torch.tensor([-1.0, 2.0])
    assert torch.allclose(mix(z), 0.75 * torch.tanh(z) + 0.25 * torch.relu(z))


@pytest.mark.parametrize("granularity", ["layer", "channel"])
@pytest.mark.parametrize("name", ADAPTIVE)
def test_each_starts_equal_to_its_base_function(name: str, granularity: str) -> None:
    act = activation_factory(name, f"granularity={granularity}")()
    z = torch.randn(8, 5, 3, 3) * 4
    assert torch.allclose(act(z), start(name, z), atol=1e-6)


@pytest.mark.parametrize("granularity", ["layer", "channel"])
@pytest.mark.parametrize("name", ADAPTIVE)
def test_gradients_reach_every_parameter(name: str, granularity: str) -> None:
    act = activation_factory(name, f"granularity={granularity}")()
    z = torch.randn(16, 4, 3, 3)
    act(z)  # per-channel values are created by the first pass
    # Move off the start, where some gradients vanish exactly (AReLU's b, d with b*z+d = 0).
    with torch.no_grad():
        for param in act.parameters():
            param.add_(torch.rand_like(param) * 0.3)
    act(z).square().sum().backward()
    for param_name, param in act.named_parameters():
        assert param.grad is not None and param.grad.abs().min() > 0, param_name


def test_per_channel_values_have_one_entry_per_channel() -> None:
    act = activation_factory("adaptive_mix", "granularity=channel")()
    act(torch.randn(2, 6, 4, 4))
    assert act.weight.shape == (3, 6)
    assert act.components.X.a.shape == (6,)
    linear = activation_factory("atanh", "granularity=channel")()
    linear(torch.randn(2, 7))
    assert linear.c.shape == (7,)


def test_per_channel_values_act_on_their_own_channel() -> None:
    act = activation_factory("atanh", "granularity=channel")()
    z = torch.randn(2, 3, 4, 4)
    act(z)
    set_values(act, b=[1.0, 2.0, 3.0])
    out = act(z)
    for channel in range(3):
        assert torch.allclose(out[:, channel], (channel + 1) * torch.tanh(z[:, channel]))


def test_an_unknown_granularity_names_the_choices() -> None:
    with pytest.raises(ValueError, match="granularity='neuron' is not one of layer, channel"):
        activation_factory("asigmoid", "granularity=neuron")()


def test_a_mixture_needs_one_weight_per_component() -> None:
    with pytest.raises(ValueError, match=r"3 components \(X, Y, Z\) needs 3 weights, got \[1.0\]"):
        activation_factory("fixed_mix", "weights=[1.0]")()


@pytest.mark.parametrize("name", ADAPTIVE)
def test_two_sites_never_share_values(name: str) -> None:
    factory = activation_factory(name)
    first, second = factory(), factory()
    z = torch.randn(10, 3)
    first(z), second(z)  # per-channel values are created by the first pass
    assert not {id(p) for p in first.parameters()} & {id(p) for p in second.parameters()}
    with torch.no_grad():
        for param in first.parameters():
            param.add_(1.0)
    assert torch.allclose(second(z), start(name, z), atol=1e-6)


@pytest.mark.parametrize("granularity", ["layer", "channel"])
@pytest.mark.parametrize("name", ADAPTIVE)
def test_state_dict_save_and_reload_restores_the_values(name: str, granularity: str) -> None:
    factory = activation_factory(name, f"granularity={granularity}")
    trained = nn.Sequential(nn.Conv2d(1, 4, 3), factory())
    materialize(trained, (1, 8, 8))
    with torch.no_grad():
        for tensor in [*trained[1].parameters(), *trained[1].buffers()]:
            tensor.copy_(torch.randn_like(tensor))
    saved = io.BytesIO()
    torch.save(trained.state_dict(), saved)
    saved.seek(0)
    reloaded = nn.Sequential(nn.Conv2d(1, 4, 3), factory())
    reloaded.load_state_dict(torch.load(saved))
    assert reloaded[1].learned_values() == trained[1].learned_values()
    z = torch.randn(2, 1, 8, 8)
    assert torch.equal(reloaded(z), trained(z))


@pytest.mark.parametrize("name", ["adaptive_mix", "fixed_mix"])
def test_normalised_weights_sum_to_one_for_any_sign(name: str) -> None:
    mix = activation_factory(name)()
    for raw in ([1.0, 1.0, 1.0], [0.2, 3.0, 0.01], [-1.0, 0.5, 0.5], [-2.0, 1.0, 1.0]):
        set_values(mix, weight=raw)
        weights = mix.mixing_weights()
        assert weights.sum().item() == pytest.approx(1.0)
        assert (weights >= 0).all()


def test_weights_that_all_reach_zero_give_zero_not_nan() -> None:
    mix = activation_factory("fixed_mix")()
    set_values(mix, weight=[0.0, 0.0, 0.0])
    z = torch.randn(5, requires_grad=True)
    out = mix(z)
    out.sum().backward()
    assert torch.equal(out, torch.zeros(5))
    assert torch.isfinite(mix.weight.grad).all() and torch.isfinite(z.grad).all()


def test_unnormalised_weights_of_one_add_the_functions() -> None:
    mix = activation_factory("fixed_mix", "trainable_weights=false", "normalize=false")()
    z = torch.randn(6)
    assert torch.allclose(mix(z), torch.tanh(z) + torch.sigmoid(z) + torch.relu(z))


@pytest.mark.parametrize("name", ["adaptive_mix", "fixed_mix"])
def test_frozen_weights_stay_fixed_through_training_steps(name: str) -> None:
    mix = activation_factory(name, "trainable_weights=false")()
    model = nn.Sequential(nn.Linear(4, 4), mix, nn.Linear(4, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(5):
        optimizer.zero_grad()
        model(torch.randn(8, 4)).square().sum().backward()
        optimizer.step()
    assert torch.equal(mix.weight, torch.ones(3))
    assert "1.weight" in model.state_dict()
    assert all(p is not mix.weight for p in activation_parameters(model))


def test_learned_values_name_each_site_value_as_s2_does() -> None:
    mix = activation_factory("adaptive_mix")()
    values = mix.learned_values()
    assert list(values)[:3] == ["X", "Y", "Z"]
    assert values["X"] == pytest.approx(1 / 3)
    assert {"X.a", "Y.b", "Z.c", "Z.d"} <= set(values)
    assert list(activation_factory("arelu")().learned_values()) == ["a", "b", "c", "d"]


def test_learnable_sites_leave_out_the_components_of_a_mixture() -> None:
    factory = activation_factory("adaptive_mix")
    model = nn.Sequential(nn.Linear(3, 3), factory(), nn.Linear(3, 3), factory(), nn.PReLU())
    sites = learnable_sites(model)
    assert list(sites) == ["1", "3", "4"]  # the mixtures, not their Tanh, Sigmoid, ReLU; PReLU
    assert all(isinstance(site, AdaptiveActivation) for site in list(sites.values())[:2])


def test_activation_sites_are_every_activation_module_once() -> None:
    model = nn.Sequential(
        nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.GELU(), nn.Flatten(), nn.Dropout(),
        nn.Linear(2, 2), activation_factory("fixed_mix")(), nn.Linear(2, 2), nn.Softmax(dim=1),
    )  # fmt: skip
    assert list(activation_sites(model)) == ["2", "6", "8"]
