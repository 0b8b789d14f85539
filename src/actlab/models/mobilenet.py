"""MobileNet (v1) for CIFAR-scale images: depthwise-separable convolutions."""

from collections.abc import Sequence
from typing import ClassVar

from torch import Tensor, nn

from actlab.activations import ActivationFactory
from actlab.models.layers import ConvNormAct, GlobalAvgPool, scaled

LAYOUT = (
    (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
    (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
)  # fmt: skip
"""Each depthwise-separable block's output channels and stride (Howard et al., 2017, Table 1),
with CIFAR's stride-1 stem (kuangliu/pytorch-cifar): 32x32 inputs end at 2x2."""

STEM_CHANNELS = 32


class DepthwiseSeparable(nn.Sequential):
    """A 3x3 depthwise conv, then a 1x1 pointwise conv, each with batch norm and the activation."""

    def __init__(
        self, in_channels: int, out_channels: int, stride: int, activation: ActivationFactory
    ) -> None:
        super().__init__(
            ConvNormAct(in_channels, in_channels, activation, 3, stride, groups=in_channels),
            ConvNormAct(in_channels, out_channels, activation, 1),
        )


class MobileNet(nn.Module):
    """MobileNet v1 as kuangliu/pytorch-cifar and the benchmark's code build it: a 3x3 stem (conv,
    batch norm, activation), the 13 depthwise-separable blocks of `LAYOUT`, global average
    pooling, one linear layer. `width` multiplies every layer's channels (the paper's alpha)."""

    input_ndim: ClassVar[int | None] = 3

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        activation: ActivationFactory,
        width: float = 1.0,
    ) -> None:
        super().__init__()
        in_channels = scaled(STEM_CHANNELS, width)
        self.stem = ConvNormAct(input_shape[0], in_channels, activation)
        blocks = []
        for channels, stride in LAYOUT:
            blocks.append(
                DepthwiseSeparable(in_channels, scaled(channels, width), stride, activation)
            )
            in_channels = scaled(channels, width)
        self.blocks = nn.Sequential(*blocks)
        self.pool = GlobalAvgPool()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.pool(self.blocks(self.stem(x))))
