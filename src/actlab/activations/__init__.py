"""Activations of the `activation` config group.

The fixed ones are PyTorch's own modules, named by `_target_` in `conf/activation/`. Models never
name an activation: they receive an `ActivationFactory` and call it once per site, so that every
site owns a fresh module (and its own parameters, when the activation has any).
"""

from collections.abc import Callable

from torch import nn

ActivationFactory = Callable[[], nn.Module]

__all__ = ["ActivationFactory"]
