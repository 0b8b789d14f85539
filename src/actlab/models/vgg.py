"""VGG for CIFAR-scale images: 3x3 convs in five pooled stages and one linear layer."""

from collections.abc import Sequence
from typing import ClassVar

from torch import Tensor, nn

from actlab.activations import ActivationFactory
from actlab.models.layers import GlobalAvgPool, named, scaled
from actlab.utils.errors import ConfigError

LAYOUTS: dict[int, tuple[int, ...]] = {
    11: (1, 1, 2, 2, 2),
    13: (2, 2, 2, 2, 2),
    16: (2, 2, 3, 3, 3),
    19: (2, 2, 4, 4, 4),
}
"""The 3x3 convs in each of the five stages of each depth (Simonyan and Zisserman, 2015)."""

STAGE_CHANNELS = (64, 128, 256, 512, 512)


class VGG(nn.Module):
    """VGG-11/13/16/19, by `depth`, in the CIFAR form of kuangliu/pytorch-cifar (the benchmark's
    code): each stage's 3x3 convs (with bias), each followed by batch norm (`batch_norm`) and the
    activation, then 2x2 max pooling; global average pooling and one linear layer instead of
    ImageNet's three. Pooling rounds up, so 28x28 inputs end at 1x1 as 32x32 ones do."""

    input_ndim: ClassVar[int | None] = 3

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        activation: ActivationFactory,
        depth: int = 16,
        batch_norm: bool = True,
        width: float = 1.0,
    ) -> None:
        super().__init__()
        if depth not in LAYOUTS:
            raise ConfigError(f"VGG depth must be one of {sorted(LAYOUTS)}, got {depth}")
        layers: list[nn.Module] = []
        in_channels = input_shape[0]
        for count, channels in zip(LAYOUTS[depth], STAGE_CHANNELS, strict=True):
            channels = scaled(channels, width)
            for _ in range(count):
                layers.append(nn.Conv2d(in_channels, channels, 3, padding=1))
                layers += [nn.BatchNorm2d(channels)] if batch_norm else []
                layers.append(activation())
                in_channels = channels
            layers.append(nn.MaxPool2d(2, ceil_mode=True))
        self.features = named(*layers)
        self.pool = GlobalAvgPool()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.pool(self.features(x)))
