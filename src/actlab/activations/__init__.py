"""Activations of the `activation` config group.

The fixed ones are PyTorch's own modules, named by `_target_` in `conf/activation/`; the adaptive
ones of study S2 are in `adaptive` and `mixture`. Models never name an activation: they receive
an `ActivationFactory` and call it once per site, so that every site owns a fresh module (and its
own parameters, when the activation has any).
"""

from collections.abc import Callable

from torch import nn

from actlab.activations.adaptive import AdaptiveActivation
from actlab.activations.registry import is_learnable

ActivationFactory = Callable[[], nn.Module]


def activation_parameters(model: nn.Module) -> list[nn.Parameter]:
    """The parameters of every learnable activation in `model`, each once."""
    found = {
        id(param): param
        for module in model.modules()
        if is_learnable(module)
        for param in module.parameters()
    }
    return list(found.values())


__all__ = ["ActivationFactory", "AdaptiveActivation", "activation_parameters"]
