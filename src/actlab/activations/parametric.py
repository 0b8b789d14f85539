"""Activations whose shape is learned, per layer or per channel, as S2's adaptive ones are: the
parametric families that studies of trainable activations compare (Apicella et al., 2021), each
started as its paper starts it."""

import torch
from torch import Tensor

from actlab.activations.adaptive import AdaptiveActivation, Granularity


class SwishBeta(AdaptiveActivation):
    """z * sigmoid(beta * z), beta learned (Ramachandran et al., 2017); beta = 1 is SiLU."""

    def __init__(self, granularity: Granularity = "layer", beta: float = 1.0) -> None:
        super().__init__({"beta": beta}, granularity)

    def forward(self, z: Tensor) -> Tensor:
        (beta,) = self.site_values(z)
        return z * torch.sigmoid(beta * z)


class ACONC(AdaptiveActivation):
    """ACON-C (Ma et al., 2021): (p1 - p2) * z * sigmoid(beta * (p1 - p2) * z) + p2 * z, with p1,
    p2 and beta learned (per channel in the paper); p1 = 1, p2 = 0, beta = 1 is SiLU."""

    def __init__(
        self,
        granularity: Granularity = "channel",
        p1: float = 1.0,
        p2: float = 0.0,
        beta: float = 1.0,
    ) -> None:
        super().__init__({"p1": p1, "p2": p2, "beta": beta}, granularity)

    def forward(self, z: Tensor) -> Tensor:
        p1, p2, beta = self.site_values(z)
        dpz = (p1 - p2) * z
        return dpz * torch.sigmoid(beta * dpz) + p2 * z


class PDELU(AdaptiveActivation):
    """The parametric deformable ELU (Cheng et al., 2020): z for z > 0, else
    alpha * ([1 + (1 - t) z]_+ ^ (1 / (1 - t)) - 1), alpha learned; t = 0.9 as the paper and the
    benchmark take it, so ((1 + 0.1 z)_+ ^ 10 - 1), which flattens to -alpha below z = -10."""

    def __init__(
        self, granularity: Granularity = "layer", alpha: float = 1.0, t: float = 0.9
    ) -> None:
        super().__init__({"alpha": alpha}, granularity)
        self.t = t

    def forward(self, z: Tensor) -> Tensor:
        (alpha,) = self.site_values(z)
        base = (1 + (1 - self.t) * z.clamp(max=0)).clamp(min=0)
        negative = alpha * (base.pow(1 / (1 - self.t)) - 1)
        return torch.where(z > 0, z, negative)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, t={self.t}"


class SoftRootSign(AdaptiveActivation):
    """SRS (Zhou et al., 2020): z / (z / |alpha| + exp(-z / |beta|)), alpha and beta learned;
    started at 5 and 3, as the benchmark's code starts them. It stays finite while
    |alpha| / |beta| > 1 / e."""

    def __init__(
        self, granularity: Granularity = "layer", alpha: float = 5.0, beta: float = 3.0
    ) -> None:
        super().__init__({"alpha": alpha, "beta": beta}, granularity)

    def forward(self, z: Tensor) -> Tensor:
        alpha, beta = self.site_values(z)
        return z / (z / alpha.abs() + torch.exp(-z / beta.abs()))
