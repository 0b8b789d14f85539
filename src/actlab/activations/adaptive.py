"""Adaptive activations of study S2: a base function whose input and output are scaled and shifted
by learned values, one set per layer (as in S2) or one per channel (as PReLU can).

Each starts equal to its base function. Per-channel values are created at the first forward pass,
when the number of channels is known (PyTorch's lazy modules); the training recipe runs one dry
pass before the optimizer is built.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import torch
from torch import Tensor, nn
from torch.nn.modules.lazy import LazyModuleMixin
from torch.nn.parameter import UninitializedBuffer, UninitializedParameter, is_lazy

from actlab.activations.registry import register
from actlab.utils.errors import ConfigError

Granularity = Literal["layer", "channel"]
GRANULARITIES: tuple[Granularity, ...] = ("layer", "channel")


@register(learnable=True)
class AdaptiveActivation(LazyModuleMixin, nn.Module):
    """An activation with learned values, named and started as in `initial`.

    A value given as a list (a mixture's weights) is a vector per layer, or a row per channel.
    With `trainable=False` the values are buffers: saved and restored, never optimised.
    """

    def __init__(
        self,
        initial: Mapping[str, float | Sequence[float]],
        granularity: Granularity = "layer",
        trainable: bool = True,
    ) -> None:
        super().__init__()
        if granularity not in GRANULARITIES:
            raise ConfigError(
                f"granularity={granularity!r} is not one of {', '.join(GRANULARITIES)}"
            )
        self.granularity = granularity
        self.initial = {
            name: torch.tensor(value, dtype=torch.float) for name, value in initial.items()
        }
        for name, value in self.initial.items():
            if granularity == "layer":
                if trainable:
                    self.register_parameter(name, nn.Parameter(value.clone()))
                else:
                    self.register_buffer(name, value.clone())
            elif trainable:
                self.register_parameter(name, UninitializedParameter())
            else:
                self.register_buffer(name, UninitializedBuffer())

    def initialize_parameters(self, z: Tensor) -> None:
        """Give each per-channel value one entry per channel of `z` (dimension 1), at its start."""
        with torch.no_grad():
            for name, value in self.initial.items():
                tensor = getattr(self, name)
                if not is_lazy(tensor):
                    continue
                tensor.materialize((*value.shape, z.shape[1]))
                tensor.copy_(value.unsqueeze(-1).expand_as(tensor))

    def per_site(self, value: Tensor, z: Tensor) -> Tensor:
        """`value` shaped to broadcast over `z`: as is per layer, along dimension 1 per channel."""
        if self.granularity == "layer":
            return value
        return value.view(*value.shape, *([1] * (z.ndim - 2)))

    def site_values(self, z: Tensor) -> tuple[Tensor, ...]:
        """Every value, in the order of `initial`, shaped to broadcast over `z`."""
        return tuple(self.per_site(getattr(self, name), z) for name in self.initial)

    def learned_values(self) -> dict[str, float]:
        """The current values by name (their mean over channels when per channel)."""
        return {name: getattr(self, name).mean().item() for name in self.initial}

    def extra_repr(self) -> str:
        return f"granularity={self.granularity}"


class ScaledShifted(AdaptiveActivation):
    """b * f(a*z + c) + d for the base function f of a subclass; a=b=1, c=d=0 gives f itself."""

    base: Callable[[Tensor], Tensor]

    def __init__(
        self,
        granularity: Granularity = "layer",
        a: float = 1.0,
        b: float = 1.0,
        c: float = 0.0,
        d: float = 0.0,
    ) -> None:
        super().__init__({"a": a, "b": b, "c": c, "d": d}, granularity)

    def forward(self, z: Tensor) -> Tensor:
        a, b, c, d = self.site_values(z)
        return torch.addcmul(d, b, self.base(torch.addcmul(c, a, z)))


class ASigmoid(ScaledShifted):
    """b * sigmoid(a*z + c) + d."""

    base = staticmethod(torch.sigmoid)


class ATanh(ScaledShifted):
    """b * tanh(a*z + c) + d."""

    base = staticmethod(torch.tanh)


class AReLU(AdaptiveActivation):
    """max(a*z + c, b*z + d): two learned lines; a=1, b=c=d=0 gives ReLU."""

    def __init__(
        self,
        granularity: Granularity = "layer",
        a: float = 1.0,
        b: float = 0.0,
        c: float = 0.0,
        d: float = 0.0,
    ) -> None:
        super().__init__({"a": a, "b": b, "c": c, "d": d}, granularity)

    def forward(self, z: Tensor) -> Tensor:
        a, b, c, d = self.site_values(z)
        return torch.maximum(torch.addcmul(c, a, z), torch.addcmul(d, b, z))
