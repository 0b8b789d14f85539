"""L1 and L2 penalties on a model's weights (the regularization group's `l1` and `l2`)."""

from collections.abc import Sequence

import torch
from torch import Tensor, nn

PENALIZED_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)
"""Layers whose `weight` is penalised. Biases, norm layers and activations' parameters never are."""


def penalized_weights(model: nn.Module) -> list[Tensor]:
    """The weight tensors of the linear and convolution layers of `model`."""
    return [module.weight for module in model.modules() if isinstance(module, PENALIZED_LAYERS)]


def weight_penalty(weights: Sequence[Tensor], l1: float = 0.0, l2: float = 0.0) -> Tensor:
    """`l1 * sum |w| + l2 * sum w^2` over every element of `weights`; a zero coefficient's sum is
    not computed."""
    penalty = torch.zeros((), device=weights[0].device)
    if l1:
        penalty = penalty + l1 * sum(weight.abs().sum() for weight in weights)
    if l2:
        penalty = penalty + l2 * sum(weight.square().sum() for weight in weights)
    return penalty
