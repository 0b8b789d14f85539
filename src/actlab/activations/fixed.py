"""Fixed activations of the benchmark papers that PyTorch does not have (Dubey et al., 2022; So
et al., 2021). PyTorch's own (hard sigmoid, ReLU6, hardtanh, softsign...) are used as they are."""

import torch
from torch import Tensor, nn

from actlab.activations.registry import register


@register
class Elliott(nn.Module):
    """0.5 * z / (1 + |z|) + 0.5: a sigmoid-shaped curve without an exponential (Elliott, 1993)."""

    def forward(self, z: Tensor) -> Tensor:
        return 0.5 * z / (1 + z.abs()) + 0.5


@register
class LiSHT(nn.Module):
    """z * tanh(z): the linearly scaled hyperbolic tangent (Roy et al., 2019)."""

    def forward(self, z: Tensor) -> Tensor:
        return z * torch.tanh(z)


@register
class ABReLU(nn.Module):
    """ReLU(z - mean(z)), the mean over the whole tensor, batch included: the average-biased ReLU
    of the benchmark's authors (Dubey and Chakraborty, 2018), as its code computes it. Its output
    depends on the rest of the batch, as batch norm's does in training."""

    def forward(self, z: Tensor) -> Tensor:
        return torch.relu(z - z.mean())


@register
class SquaredReLU(nn.Module):
    """ReLU(z)^2 (So et al., 2021, Primer)."""

    def forward(self, z: Tensor) -> Tensor:
        return torch.relu(z).square()
