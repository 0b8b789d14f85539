"""MobileNetV2 for CIFAR-scale images: inverted residual blocks with linear bottlenecks."""

from collections.abc import Sequence
from typing import ClassVar

from torch import Tensor, nn

from actlab.activations import ActivationFactory
from actlab.models.layers import ConvNormAct, GlobalAvgPool

STAGES = (
    (1, 16, 1, 1),
    (6, 24, 2, 1),  # 2 on ImageNet
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)
"""Each stage's expansion, output channels, blocks and first stride (Sandler et al., 2018,
Table 2), with CIFAR's strides (kuangliu/pytorch-cifar): the stem and the second stage keep the
resolution, so 32x32 inputs end at 4x4."""

STEM_CHANNELS, LAST_CHANNELS = 32, 1280


def divisible(channels: float, by: int = 8) -> int:
    """`channels` rounded to the nearest multiple of `by` (at least `by`, and never below 90% of
    `channels`): how MobileNetV2 applies its width multiplier."""
    rounded = max(by, int(channels + by / 2) // by * by)
    return rounded + by if rounded < 0.9 * channels else rounded


class InvertedResidual(nn.Module):
    """1x1 expansion (where `expansion` > 1), 3x3 depthwise conv, each with batch norm and the
    activation, then a linear 1x1 projection with batch norm; the input is added back where the
    block keeps its shape."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        expansion: int,
        stride: int,
        activation: ActivationFactory,
    ) -> None:
        super().__init__()
        hidden = in_channels * expansion
        expand = [ConvNormAct(in_channels, hidden, activation, 1)] if expansion > 1 else []
        self.layers = nn.Sequential(
            *expand,
            ConvNormAct(hidden, hidden, activation, 3, stride, groups=hidden),
            nn.Conv2d(hidden, out_channels, 1, bias=False),
            nn.BatchNorm2d(out_channels),
        )
        self.residual = stride == 1 and in_channels == out_channels

    def forward(self, x: Tensor) -> Tensor:
        return x + self.layers(x) if self.residual else self.layers(x)


class MobileNetV2(nn.Module):
    """MobileNetV2 with CIFAR strides: a 3x3 stem, the seven stages of `STAGES`, a 1x1 conv to
    1280 channels, global average pooling, dropout and one linear layer. `width` multiplies every
    layer's channels (rounded to multiples of 8) but the last conv's, which it only widens, as the
    paper does."""

    input_ndim: ClassVar[int | None] = 3

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        activation: ActivationFactory,
        width: float = 1.0,
        dropout: float = 0.2,
    ) -> None:
        super().__init__()
        in_channels = divisible(STEM_CHANNELS * width)
        self.stem = ConvNormAct(input_shape[0], in_channels, activation)
        blocks = []
        for expansion, channels, count, first_stride in STAGES:
            out_channels = divisible(channels * width)
            for index in range(count):
                stride = first_stride if index == 0 else 1
                blocks.append(
                    InvertedResidual(in_channels, out_channels, expansion, stride, activation)
                )
                in_channels = out_channels
        self.blocks = nn.Sequential(*blocks)
        last = divisible(LAST_CHANNELS * max(1.0, width))
        self.head = ConvNormAct(in_channels, last, activation, 1)
        self.pool = GlobalAvgPool()
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(last, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        features = self.head(self.blocks(self.stem(x)))
        return self.fc(self.dropout(self.pool(features)))
