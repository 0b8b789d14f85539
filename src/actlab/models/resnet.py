"""ResNet for CIFAR-scale images: a 3x3 stem, four stages, basic or bottleneck blocks."""

from collections.abc import Sequence
from typing import ClassVar

from torch import Tensor, nn

from actlab.activations import ActivationFactory
from actlab.models.layers import ConvNormAct, GlobalAvgPool, scaled
from actlab.utils.errors import ConfigError


class Shortcut(nn.Sequential):
    """Identity, or a 1x1 conv and batch norm where a block changes shape."""

    def __init__(self, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        if stride != 1 or in_channels != out_channels:
            self.conv = nn.Conv2d(in_channels, out_channels, 1, stride, bias=False)
            self.norm = nn.BatchNorm2d(out_channels)


class BasicBlock(nn.Module):
    """Two 3x3 convs; the activation follows the first conv and the residual sum."""

    expansion: ClassVar[int] = 1

    def __init__(
        self, in_channels: int, channels: int, stride: int, activation: ActivationFactory
    ) -> None:
        super().__init__()
        self.conv1 = ConvNormAct(in_channels, channels, activation, stride=stride)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.norm2 = nn.BatchNorm2d(channels)
        self.shortcut = Shortcut(in_channels, channels, stride)
        self.act = activation()

    def forward(self, x: Tensor) -> Tensor:
        return self.act(self.norm2(self.conv2(self.conv1(x))) + self.shortcut(x))


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3, 1x1 expand (x4); the activation follows each of the first two convs
    and the residual sum."""

    expansion: ClassVar[int] = 4

    def __init__(
        self, in_channels: int, channels: int, stride: int, activation: ActivationFactory
    ) -> None:
        super().__init__()
        out_channels = channels * self.expansion
        self.conv1 = ConvNormAct(in_channels, channels, activation, kernel_size=1)
        self.conv2 = ConvNormAct(channels, channels, activation, stride=stride)
        self.conv3 = nn.Conv2d(channels, out_channels, 1, bias=False)
        self.norm3 = nn.BatchNorm2d(out_channels)
        self.shortcut = Shortcut(in_channels, out_channels, stride)
        self.act = activation()

    def forward(self, x: Tensor) -> Tensor:
        out = self.norm3(self.conv3(self.conv2(self.conv1(x))))
        return self.act(out + self.shortcut(x))


LAYOUTS: dict[int, tuple[type[BasicBlock | Bottleneck], tuple[int, ...]]] = {
    18: (BasicBlock, (2, 2, 2, 2)),
    34: (BasicBlock, (3, 4, 6, 3)),
    50: (Bottleneck, (3, 4, 6, 3)),
    101: (Bottleneck, (3, 4, 23, 3)),
    152: (Bottleneck, (3, 8, 36, 3)),
}
"""The block type and blocks per stage of each standard depth (He et al., 2016)."""

STAGE_CHANNELS = (64, 128, 256, 512)


class ResNet(nn.Module):
    """ResNet-18/34 (basic blocks) or -50/101/152 (bottlenecks), by `depth`.

    CIFAR form: a 3x3 stride-1 stem without max pooling, stages at strides 1, 2, 2, 2, global
    average pooling, one linear layer.
    """

    input_ndim: ClassVar[int | None] = 3

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        activation: ActivationFactory,
        depth: int = 18,
        width: float = 1.0,
    ) -> None:
        super().__init__()
        if depth not in LAYOUTS:
            raise ConfigError(f"ResNet depth must be one of {sorted(LAYOUTS)}, got {depth}")
        block, counts = LAYOUTS[depth]
        channels = [scaled(c, width) for c in STAGE_CHANNELS]
        self.stem = ConvNormAct(input_shape[0], channels[0], activation)
        stages = []
        in_channels = channels[0]
        for stage, (stage_channels, count) in enumerate(zip(channels, counts, strict=True)):
            blocks = []
            for index in range(count):
                stride = 2 if stage > 0 and index == 0 else 1
                blocks.append(block(in_channels, stage_channels, stride, activation))
                in_channels = stage_channels * block.expansion
            stages.append(nn.Sequential(*blocks))
        self.stages = nn.Sequential(*stages)
        self.pool = GlobalAvgPool()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.pool(self.stages(self.stem(x))))
