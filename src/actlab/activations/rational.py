"""Padé activation units (Molina et al., ICLR 2020): learned rational functions, in PyTorch
alone (the paper's code is a CUDA extension)."""

from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

from actlab.activations.adaptive import AdaptiveActivation, Granularity

LEAKY_RELU_FIT = (
    (3.35583603e-02, 5.05000375e-01, 1.65343934e00, 2.01001052e00, 9.31901999e-01, 1.52424124e-01),
    (3.30847488e-06, 3.98021568e00, 5.12471206e-07, 3.01830109e-01),
)
"""The paper code's coefficients of degrees (5, 4) fitted to leaky ReLU
(`pade_optimized_leakyrelu`), its start in the PAU paper and in the benchmark."""


def rational(z: Tensor, a: Tensor, b: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """P(z), Q(z) and their derivatives P'(z), Q'(z), for the coefficients `a` (a_0..a_m) and
    `b` (b_1..b_n) along the first dimension, each broadcast over `z` (Horner's scheme): what
    the backward pass recomputes."""
    p, dp = a[-1].expand_as(z), torch.zeros_like(z)
    for coefficient in reversed(a[:-1]):
        dp = dp * z + p
        p = p * z + coefficient
    size = z.abs()
    q, dq = b[-1].abs().expand_as(z), torch.zeros_like(z)
    for coefficient in reversed(b[:-1]):
        dq = dq * size + q
        q = q * size + coefficient.abs()
    dq = (dq * size + q) * torch.sign(z)  # d/dz of the |z| polynomial, before its last step
    q = q * size + 1
    return p, q, dp, dq


class Rational(torch.autograd.Function):
    """P(z) / Q(z), keeping only z and the coefficients for the backward pass, which recomputes
    the rest: the autograd of the plain expression keeps about 14 tensors of z's size."""

    @staticmethod
    def forward(ctx: Any, z: Tensor, a: Tensor, b: Tensor) -> Tensor:
        ctx.save_for_backward(z, a, b)
        p = a[-1].expand_as(z).clone()  # Horner's scheme, in place: no graph is kept here
        for coefficient in reversed(a[:-1]):
            p.mul_(z).add_(coefficient)
        size = z.abs()
        q = b[-1].abs().expand_as(z).clone()
        for coefficient in reversed(b[:-1]):
            q.mul_(size).add_(coefficient.abs())
        return p.div_(q.mul_(size).add_(1))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        z, a, b = ctx.saved_tensors
        p, q, dp, dq = rational(z, a, b)
        grad_q = grad / q
        grad_z = grad_q * (dp - p / q * dq)
        powers = [torch.ones_like(z)]
        for _ in range(1, max(len(a), len(b) + 1)):
            powers.append(powers[-1] * z)
        grad_a = torch.stack([(grad_q * powers[j]).sum_to_size(a[j].shape) for j in range(len(a))])
        minus_f_over_q = -grad_q * p / q
        grad_b = torch.stack(
            [
                (minus_f_over_q * powers[k].abs()).sum_to_size(b[k - 1].shape)
                * torch.sign(b[k - 1])
                for k in range(1, len(b) + 1)
            ]
        )
        return grad_z, grad_a, grad_b


class PAU(AdaptiveActivation):
    """P(z) / Q(z), with P(z) = a_0 + a_1 z + ... + a_m z^m and the "safe" denominator
    Q(z) = 1 + |b_1| |z| + ... + |b_n| |z|^n, which never reaches zero, as the paper's kernel
    computes it; the a's and b's learned (per layer, as in the paper). Computed in float32 at
    least, whatever the input's precision (z^5 overflows float16 beyond |z| = 9), and returned
    in the input's; its backward pass keeps only z and recomputes the rest (`Rational`)."""

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
        a, b = (value.to(x.dtype) for value in self.site_values(x))
        return Rational.apply(x, a, b).to(z.dtype)

    def learned_values(self) -> dict[str, float]:
        """Each coefficient by its name (a0..a5, b1..b4), a mean over channels when per channel."""
        values = {f"a{j}": c.mean().item() for j, c in enumerate(self.numerator)}
        return values | {f"b{k}": c.mean().item() for k, c in enumerate(self.denominator, 1)}
