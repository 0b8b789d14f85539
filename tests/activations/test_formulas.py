"""Every option of the activation group against its published formula, computed here apart from
the code under test; its gradients (float64 gradcheck, parameters included) and a bf16 forward."""

import pytest
import torch
from formulas import FORMULAS, pau
from helpers import ACTIVATIONS, activation_class, activation_factory
from torch.func import functional_call

from actlab.activations.adaptive import AdaptiveActivation

NOT_ELEMENTWISE = {"softmax", "abrelu"}
"""Options whose value at a unit depends on other units (tested on their own below)."""

POINTS = [-12.0, -3.5, -1.2, -0.3, 0.2, 0.7, 1.9, 4.5, 11.0]


def test_every_option_has_its_formula_here() -> None:
    assert set(FORMULAS) | NOT_ELEMENTWISE == set(ACTIVATIONS)


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_each_option_computes_its_published_formula(name: str) -> None:
    module = activation_factory(name)()
    z = torch.tensor(POINTS, dtype=torch.float64)[:, None].expand(-1, 3)  # a row per point
    got = module.double()(z.contiguous())[:, 0]
    expected = torch.tensor([FORMULAS[name](p) for p in POINTS], dtype=torch.float64)
    torch.testing.assert_close(got, expected, rtol=1e-6, atol=1e-9)


def test_softmax_and_abrelu_take_the_other_units_into_account() -> None:
    z = torch.tensor([[1.0, 2.0, -0.5], [0.0, 3.0, 1.0]], dtype=torch.float64)
    exp = z.exp()
    torch.testing.assert_close(activation_factory("softmax")()(z), exp / exp.sum(1, keepdim=True))
    mean = sum(z.flatten().tolist()) / 6  # ABReLU: the whole tensor's mean, batch included
    expected = torch.tensor([[max(v - mean, 0.0) for v in row] for row in z.tolist()])
    torch.testing.assert_close(activation_factory("abrelu")()(z), expected.double())


def built(name: str, shape: tuple[int, ...]) -> torch.nn.Module:
    """The option's module, its per-channel values created for inputs of `shape`."""
    module = activation_factory(name)()
    module(torch.zeros(shape))
    return module


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_each_options_gradients_pass_gradcheck_in_float64(name: str) -> None:
    """With respect to the input and to every learned value, away from the start (where some
    gradients vanish exactly)."""
    module = built(name, (4, 3, 2)).double()
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for param in module.parameters():
            param.add_(torch.rand(param.shape, generator=generator, dtype=param.dtype) * 0.2)
    names = [n for n, _ in module.named_parameters()]
    params = [p.detach().clone().requires_grad_(True) for _, p in module.named_parameters()]
    z = torch.randn(4, 3, 2, generator=generator, dtype=torch.float64) * 2
    z.requires_grad_(True)

    def f(z: torch.Tensor, *values: torch.Tensor) -> torch.Tensor:
        return functional_call(module, dict(zip(names, values, strict=True)), (z,))

    assert torch.autograd.gradcheck(f, (z, *params), eps=1e-6, atol=1e-5)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_each_option_runs_in_bf16_close_to_float32(name: str) -> None:
    module = built(name, (64, 3, 4))
    z = torch.randn(64, 3, 4, generator=torch.Generator().manual_seed(1)) * 3
    reference = module(z)
    low = module.to(torch.bfloat16)(z.to(torch.bfloat16))
    assert low.dtype == torch.bfloat16 and torch.isfinite(low).all()
    torch.testing.assert_close(low.float(), reference, rtol=0.05, atol=0.05)


def test_pau_stays_finite_where_its_powers_overflow_float16() -> None:
    pau_module = activation_factory("pau")()
    z = torch.tensor([-300.0, -20.0, 15.0, 300.0])
    expected = torch.tensor([pau(v) for v in z.tolist()])
    half = pau_module.half()(z.half())
    assert half.dtype == torch.float16 and torch.isfinite(half).all()
    torch.testing.assert_close(half.float(), expected, rtol=2e-3, atol=1e-3)


def test_pau_starts_close_to_leaky_relu() -> None:
    z = torch.linspace(-3, 3, 61)
    start = activation_factory("pau")()(z)
    assert (start - torch.nn.functional.leaky_relu(z, 0.01)).abs().max() < 0.05


@pytest.mark.parametrize("granularity", ["layer", "channel"])
def test_pau_learns_its_coefficients_per_layer_or_channel(granularity: str) -> None:
    module = activation_factory("pau", f"granularity={granularity}")()
    module(torch.zeros(2, 5, 3, 3))  # per-channel values are created by the first pass
    shapes = {name: tuple(p.shape) for name, p in module.named_parameters()}
    per_site = () if granularity == "layer" else (5,)
    assert shapes == {"numerator": (6, *per_site), "denominator": (4, *per_site)}
    assert isinstance(module, AdaptiveActivation)
    assert list(module.learned_values()) == [*(f"a{j}" for j in range(6)), "b1", "b2", "b3", "b4"]
    # Its own backward pass (it recomputes what it does not keep), per channel too; off the start,
    # where two of the b's are within gradcheck's step of |b|'s kink at 0.
    module = module.double()
    names = [n for n, _ in module.named_parameters()]
    params = [(p.detach() + 0.1).requires_grad_(True) for p in module.parameters()]
    z = (torch.randn(2, 5, 3, 3, dtype=torch.float64) * 2).requires_grad_(True)

    def f(z: torch.Tensor, *values: torch.Tensor) -> torch.Tensor:
        return functional_call(module, dict(zip(names, values, strict=True)), (z,))

    assert torch.autograd.gradcheck(f, (z, *params), eps=1e-6, atol=1e-5)


OWN_CODE = [
    name
    for name in ACTIVATIONS
    if activation_class(name).__module__.startswith("actlab.activations.")
    and name not in ("adaptive_mix", "fixed_mix")  # their components are the ones here
]
"""The options computed by actlab's own code (not PyTorch's modules)."""


@pytest.mark.slow
@pytest.mark.parametrize("name", OWN_CODE)
def test_each_of_actlabs_own_compiles_to_one_graph_with_the_same_values(name: str) -> None:
    module = built(name, (8, 3, 4))
    compiled = torch.compile(module, fullgraph=True)
    z = torch.randn(8, 3, 4, requires_grad=True)
    eager_out = module(z)
    (eager_grad,) = torch.autograd.grad(eager_out.sum(), z)
    compiled_out = compiled(z)
    (compiled_grad,) = torch.autograd.grad(compiled_out.sum(), z)
    torch.testing.assert_close(compiled_out, eager_out)
    torch.testing.assert_close(compiled_grad, eager_grad)
