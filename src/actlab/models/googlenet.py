"""GoogLeNet (Inception v1) for CIFAR-scale images (Szegedy et al., 2015)."""

from collections.abc import Sequence
from typing import ClassVar, NamedTuple

import torch
from torch import Tensor, nn

from actlab.activations import ActivationFactory
from actlab.models.layers import ConvNormAct, GlobalAvgPool, named, scaled


class InceptionWidths(NamedTuple):
    """Output channels of an inception module's branches (and the reductions before 3x3, 5x5)."""

    b1: int
    b3_reduce: int
    b3: int
    b5_reduce: int
    b5: int
    pool_proj: int


INCEPTIONS: dict[str, InceptionWidths] = {
    "3a": InceptionWidths(64, 96, 128, 16, 32, 32),
    "3b": InceptionWidths(128, 128, 192, 32, 96, 64),
    "4a": InceptionWidths(192, 96, 208, 16, 48, 64),
    "4b": InceptionWidths(160, 112, 224, 24, 64, 64),
    "4c": InceptionWidths(128, 128, 256, 24, 64, 64),
    "4d": InceptionWidths(112, 144, 288, 32, 64, 64),
    "4e": InceptionWidths(256, 160, 320, 32, 128, 128),
    "5a": InceptionWidths(256, 160, 320, 32, 128, 128),
    "5b": InceptionWidths(384, 192, 384, 48, 128, 128),
}
"""The branch widths of every inception module, from Table 1 of the paper."""

POOL_BEFORE = ("4a", "5a")
"""Stages 4 and 5 start with a 3x3 stride-2 max pooling."""


class Inception(nn.Module):
    """Four parallel branches, concatenated: 1x1; 1x1 -> 3x3; 1x1 -> 5x5; 3x3 max pool -> 1x1."""

    def __init__(
        self, in_channels: int, widths: InceptionWidths, activation: ActivationFactory
    ) -> None:
        super().__init__()
        self.branch1 = ConvNormAct(in_channels, widths.b1, activation, kernel_size=1)
        self.branch3 = nn.Sequential(
            ConvNormAct(in_channels, widths.b3_reduce, activation, kernel_size=1),
            ConvNormAct(widths.b3_reduce, widths.b3, activation, kernel_size=3),
        )
        self.branch5 = nn.Sequential(
            ConvNormAct(in_channels, widths.b5_reduce, activation, kernel_size=1),
            ConvNormAct(widths.b5_reduce, widths.b5, activation, kernel_size=5),
        )
        self.branch_pool = nn.Sequential(
            nn.MaxPool2d(3, stride=1, padding=1),
            ConvNormAct(in_channels, widths.pool_proj, activation, kernel_size=1),
        )
        self.out_channels = widths.b1 + widths.b3 + widths.b5 + widths.pool_proj

    def forward(self, x: Tensor) -> Tensor:
        branches = (self.branch1, self.branch3, self.branch5, self.branch_pool)
        return torch.cat([branch(x) for branch in branches], 1)


class GoogLeNet(nn.Module):
    """CIFAR form: a 3x3 stem to 192 channels at full resolution (in place of the 7x7 stride-2
    stem and its poolings), inception modules 3a-5b, global average pooling, dropout, linear."""

    input_ndim: ClassVar[int | None] = 3

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        activation: ActivationFactory,
        dropout: float = 0.4,
        width: float = 1.0,
    ) -> None:
        super().__init__()
        channels = scaled(192, width)
        layers: list[nn.Module] = [ConvNormAct(input_shape[0], channels, activation)]
        for name, widths in INCEPTIONS.items():
            if name in POOL_BEFORE:
                layers.append(nn.MaxPool2d(3, stride=2, padding=1))
            module = Inception(
                channels, InceptionWidths(*(scaled(w, width) for w in widths)), activation
            )
            layers.append(module)
            channels = module.out_channels
        self.features = named(*layers, GlobalAvgPool())
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.dropout(self.features(x)))
