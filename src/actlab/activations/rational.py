"""Padé activation units (Molina et al., ICLR 2020): learned rational functions, in PyTorch
alone (the paper's code is a CUDA extension)."""

from collections.abc import Sequence

import torch
from torch import Tensor

from actlab.activations.adaptive import AdaptiveActivation, Granularity

LEAKY_RELU_FIT = (
    (3.35583603e-02, 5.05000375e-01, 1.65343934e00, 2.01001052e00, 9.31901999e-01, 1.52424124e-01),
    (3.30847488e-06, 3.98021568e00, 5.12471206e-07, 3.01830109e-01),
)
"""The paper code's coefficients of degrees (5, 4) fitted to leaky ReLU
(`pade_optimized_leakyrelu`), its start in the PAU paper and in the benchmark."""


class PAU(AdaptiveActivation):
    """P(z) / Q(z), with P(z) = a_0 + a_1 z + ... + a_m z^m and the "safe" denominator
    Q(z) = 1 + |b_1| |z| + ... + |b_n| |z|^n, which never reaches zero, as the paper's kernel
    computes it; the a's and b's learned (per layer, as in the paper). Computed in float32 at
    least, whatever the input's precision (z^5 overflows float16 beyond |z| = 9), and returned
    in the input's."""

    def __init__(
        self,
        granularity: Granularity = "layer",
        numerator: Sequence[float] = LEAKY_RELU_FIT[0],
        denominator: Sequence[float] = LEAKY_RELU_FIT[1],
    ) -> None:
        super().__init__(
            {"numerator": list(numerator), "denominator": list(denominator)}, granularity
        )

    def forward(self, z: Tensor) -> Tensor:
        x = z.float() if z.dtype in (torch.float16, torch.bfloat16) else z
        a, b = self.site_values(x)
        p = a[-1].to(x.dtype)
        for coefficient in reversed(a[:-1]):
            p = p * x + coefficient.to(x.dtype)
        powers = x.abs()
        q = 1 + b[0].to(x.dtype).abs() * powers
        for coefficient in b[1:]:
            powers = powers * x.abs()
            q = q + coefficient.to(x.dtype).abs() * powers
        return (p / q).to(z.dtype)

    def learned_values(self) -> dict[str, float]:
        """Each coefficient by its name (a0..a5, b1..b4), a mean over channels when per channel."""
        values = {f"a{j}": c.mean().item() for j, c in enumerate(self.numerator)}
        return values | {f"b{k}": c.mean().item() for k, c in enumerate(self.denominator, 1)}
