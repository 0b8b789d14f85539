"""DenseNet-BC for CIFAR-scale images (Huang et al., 2017)."""

from collections.abc import Sequence
from typing import ClassVar

import torch
from torch import Tensor, nn

from actlab.activations import ActivationFactory
from actlab.models.layers import GlobalAvgPool, named, scaled


class DenseLayer(nn.Module):
    """BN -> act -> 1x1 conv (4 x growth) -> BN -> act -> 3x3 conv (growth); its output is
    concatenated to its input."""

    def __init__(self, in_channels: int, growth_rate: int, activation: ActivationFactory) -> None:
        super().__init__()
        inner = 4 * growth_rate
        self.layers = named(
            nn.BatchNorm2d(in_channels),
            activation(),
            nn.Conv2d(in_channels, inner, 1, bias=False),
            nn.BatchNorm2d(inner),
            activation(),
            nn.Conv2d(inner, growth_rate, 3, padding=1, bias=False),
        )

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([self.layers(x), x], 1)


class Transition(nn.Sequential):
    """BN -> act -> 1x1 conv (compressing the channels) -> 2x2 average pooling."""

    def __init__(self, in_channels: int, out_channels: int, activation: ActivationFactory) -> None:
        super().__init__(
            nn.BatchNorm2d(in_channels),
            activation(),
            nn.Conv2d(in_channels, out_channels, 1, bias=False),
            nn.AvgPool2d(2),
        )


class DenseNet(nn.Module):
    """A 3x3 stem, dense blocks joined by compressing transitions, BN -> act -> global pooling.

    The default block layout (6, 12, 24, 16) with growth rate 32 is DenseNet-121; the CIFAR
    DenseNet-BC of the paper uses growth rate 12. `width` scales the growth rate.
    """

    input_ndim: ClassVar[int | None] = 3

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        activation: ActivationFactory,
        blocks: Sequence[int] = (6, 12, 24, 16),
        growth_rate: int = 32,
        compression: float = 0.5,
        width: float = 1.0,
    ) -> None:
        super().__init__()
        growth = scaled(growth_rate, width)
        channels = 2 * growth
        layers: list[nn.Module] = [nn.Conv2d(input_shape[0], channels, 3, padding=1, bias=False)]
        for index, count in enumerate(blocks):
            for _ in range(count):
                layers.append(DenseLayer(channels, growth, activation))
                channels += growth
            if index < len(blocks) - 1:
                compressed = int(channels * compression)
                layers.append(Transition(channels, compressed, activation))
                channels = compressed
        self.features = named(*layers, nn.BatchNorm2d(channels), activation(), GlobalAvgPool())
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.features(x))
