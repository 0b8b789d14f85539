"""S2's learnable mixtures of activations: X*f_X(z) + Y*f_Y(z) + Z*f_Z(z)."""

from collections.abc import Mapping, Sequence

import torch
from torch import Tensor, nn

from actlab.activations import ActivationFactory
from actlab.activations.adaptive import AdaptiveActivation, Granularity
from actlab.utils.errors import ConfigError

EPS = 1e-12


class Mixture(AdaptiveActivation):
    """A weighted sum of component activations, one component per name in `components`.

    The raw weights (S2's alpha, beta, gamma) start at `weights`, are learned unless
    `trainable_weights` is false, and are used normalised when `normalize` is true:
    w_k = |alpha_k| / max(sum_j |alpha_j|, EPS). That is S2's alpha / (alpha + beta + gamma)
    while the weights are non-negative (they start so), and it stays defined where S2's
    denominator would reach zero or turn negative: the weights remain in [0, 1] and sum to 1
    (all three at exactly zero give the zero function). Unnormalised, the raw weights are used
    as they are: S2's Table 5 variant with every weight frozen at 1.
    """

    def __init__(
        self,
        components: Mapping[str, ActivationFactory],
        weights: Sequence[float],
        trainable_weights: bool = True,
        normalize: bool = True,
        granularity: Granularity = "layer",
    ) -> None:
        if len(weights) != len(components):
            raise ConfigError(
                f"a mixture of {len(components)} components ({', '.join(components)}) needs "
                f"{len(components)} weights, got {list(weights)}"
            )
        super().__init__({"weight": list(weights)}, granularity, trainable=trainable_weights)
        self.components = nn.ModuleDict({name: make() for name, make in components.items()})
        self.normalize = normalize

    def mixing_weights(self) -> Tensor:
        """The weight of each component (first dimension), normalised when `normalize` is set."""
        if not self.normalize:
            return self.weight
        magnitude = self.weight.abs()
        return magnitude / magnitude.sum(dim=0).clamp_min(EPS)

    def forward(self, z: Tensor) -> Tensor:
        mixed = None
        for weight, component in zip(self.mixing_weights(), self.components.values(), strict=True):
            weight = self.per_site(weight, z)
            term = component(z)
            mixed = term * weight if mixed is None else torch.addcmul(mixed, weight, term)
        return mixed

    def learned_values(self) -> dict[str, float]:
        """Each component's weight by its name (X, Y, Z), then its own values as `X.a`, ..."""
        values = {
            name: weight.mean().item()
            for name, weight in zip(self.components, self.mixing_weights(), strict=True)
        }
        for name, component in self.components.items():
            if isinstance(component, AdaptiveActivation):
                values |= {f"{name}.{key}": v for key, v in component.learned_values().items()}
        return values

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, normalize={self.normalize}"
