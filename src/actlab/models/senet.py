"""SENet-18 for CIFAR-scale images: pre-activation residual blocks with squeeze-excitation."""

from collections.abc import Sequence
from typing import ClassVar

from hydra.utils import get_class
from torch import Tensor, nn

from actlab.activations import ActivationFactory
from actlab.models.layers import GlobalAvgPool, named, scaled
from actlab.utils.errors import ConfigError

STAGE_CHANNELS = (64, 128, 256, 512)
BLOCKS = (2, 2, 2, 2)


class SqueezeExcitation(nn.Module):
    """Each channel scaled by a gate in (0, 1) computed from all channels' means: 1x1 conv down
    by `reduction`, the activation, 1x1 conv back, sigmoid (Hu et al., 2018)."""

    def __init__(self, channels: int, reduction: int, activation: ActivationFactory) -> None:
        super().__init__()
        self.pool = GlobalAvgPool()
        self.fc1 = nn.Conv2d(channels, max(1, channels // reduction), 1)
        self.act = activation()
        self.fc2 = nn.Conv2d(max(1, channels // reduction), channels, 1)
        self.gate = nn.Sigmoid()

    def forward(self, x: Tensor) -> Tensor:
        squeezed = self.pool(x)[:, :, None, None]
        return x * self.gate(self.fc2(self.act(self.fc1(squeezed))))


class PreActSEBlock(nn.Module):
    """Batch norm and the activation before each of two 3x3 convs, squeeze-excitation on their
    output, then the shortcut added (a 1x1 conv of the activated input where the shape
    changes)."""

    def __init__(
        self,
        in_channels: int,
        channels: int,
        stride: int,
        reduction: int,
        activation: ActivationFactory,
        gate_activation: ActivationFactory,
    ) -> None:
        super().__init__()
        self.norm1 = nn.BatchNorm2d(in_channels)
        self.act1 = activation()
        self.conv1 = nn.Conv2d(in_channels, channels, 3, stride, padding=1, bias=False)
        self.norm2 = nn.BatchNorm2d(channels)
        self.act2 = activation()
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.se = SqueezeExcitation(channels, reduction, gate_activation)
        reshapes = stride != 1 or in_channels != channels
        self.shortcut = (
            nn.Conv2d(in_channels, channels, 1, stride, bias=False) if reshapes else None
        )

    def forward(self, x: Tensor) -> Tensor:
        activated = self.act1(self.norm1(x))
        shortcut = x if self.shortcut is None else self.shortcut(activated)
        out = self.conv2(self.act2(self.norm2(self.conv1(activated))))
        return self.se(out) + shortcut


def gate_class(path: str) -> type[nn.Module]:
    """The activation class that `model.gate_activation` names by its import path."""
    try:
        return get_class(path)
    except (ImportError, ValueError) as error:
        reason = " ".join(str(error).split())
        raise ConfigError(
            f"model.gate_activation={path} is not an activation class to import (e.g. "
            f"torch.nn.ReLU): {reason}"
        ) from None


class SENet(nn.Module):
    """SENet-18 as kuangliu/pytorch-cifar and the benchmark's code build it: a 3x3 stem (conv,
    batch norm, activation), four stages of two pre-activation SE blocks at strides 1, 2, 2, 2,
    global average pooling, one linear layer. The gates' hidden activation is the model's, as in
    that code, unless `gate_activation` names a class of its own (`torch.nn.ReLU`, the SE
    paper's)."""

    input_ndim: ClassVar[int | None] = 3

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        activation: ActivationFactory,
        reduction: int = 16,
        gate_activation: str | None = None,
        width: float = 1.0,
    ) -> None:
        super().__init__()
        gate = activation if gate_activation is None else gate_class(gate_activation)
        channels = [scaled(c, width) for c in STAGE_CHANNELS]
        self.stem = named(
            nn.Conv2d(input_shape[0], channels[0], 3, padding=1, bias=False),
            nn.BatchNorm2d(channels[0]),
            activation(),
        )
        stages = []
        in_channels = channels[0]
        for stage, (stage_channels, count) in enumerate(zip(channels, BLOCKS, strict=True)):
            blocks = []
            for index in range(count):
                stride = 2 if stage > 0 and index == 0 else 1
                blocks.append(
                    PreActSEBlock(
                        in_channels,
                        stage_channels,
                        stride,
                        reduction,
                        activation,
                        gate,
                    )
                )
                in_channels = stage_channels
            stages.append(nn.Sequential(*blocks))
        self.stages = nn.Sequential(*stages)
        self.pool = GlobalAvgPool()
        self.fc = nn.Linear(in_channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.pool(self.stages(self.stem(x))))
