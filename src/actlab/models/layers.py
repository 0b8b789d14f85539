"""Small building blocks the model families share."""

from collections import Counter, OrderedDict

from torch import Tensor, nn

from actlab.activations import ActivationFactory
from actlab.activations.registry import is_activation

SHORT_NAMES = {
    nn.Conv2d: "conv",
    nn.Linear: "fc",
    nn.BatchNorm1d: "bn",
    nn.BatchNorm2d: "bn",
    nn.MaxPool2d: "pool",
    nn.AvgPool2d: "pool",
    nn.Dropout: "drop",
    nn.Flatten: "flatten",
    nn.ZeroPad2d: "pad",
}
"""What `named` calls a layer of these classes; an activation is `act`, any other its class."""


def named(*layers: nn.Module) -> nn.Sequential:
    """`layers` in a Sequential that names each by its kind and its count of that kind
    (`conv1`, `act1`, `pool1`, `conv2`, `act2`...), so that an activation's site reads as where it
    is (`classifier.act2`, not `classifier.3`): in TensorBoard, the activation sheet and
    adaptive_params.csv."""
    counts: Counter[str] = Counter()
    names = []
    for layer in layers:
        kind = "act" if is_activation(layer) else SHORT_NAMES.get(type(layer))
        kind = kind or type(layer).__name__.lower()
        counts[kind] += 1
        names.append(f"{kind}{counts[kind]}")
    return nn.Sequential(OrderedDict(zip(names, layers, strict=True)))


def scaled(channels: int, width: float) -> int:
    """`channels` times the width multiplier, at least 1."""
    return max(1, round(channels * width))


class GlobalAvgPool(nn.Module):
    """The mean of each channel over height and width: N x C x H x W -> N x C.

    What AdaptiveAvgPool2d(1) + Flatten compute, but whose backward on CUDA is deterministic:
    AdaptiveAvgPool2d's has no deterministic implementation, so `trainer.deterministic=true`
    (torch.use_deterministic_algorithms) refuses it."""

    def forward(self, x: Tensor) -> Tensor:
        return x.mean(dim=(2, 3))


class ConvNormAct(nn.Sequential):
    """Conv2d (no bias; depthwise with `groups` = channels) -> BatchNorm2d -> activation: the unit
    of ResNet, GoogLeNet, MobileNetV2 and stems."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        activation: ActivationFactory,
        kernel_size: int = 3,
        stride: int = 1,
        groups: int = 1,
    ) -> None:
        super().__init__()
        padding = kernel_size // 2
        self.conv = nn.Conv2d(
            in_channels, out_channels, kernel_size, stride, padding, groups=groups, bias=False
        )
        self.norm = nn.BatchNorm2d(out_channels)
        self.act = activation()
