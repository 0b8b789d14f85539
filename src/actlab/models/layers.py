"""Small building blocks the model families share."""

from torch import Tensor, nn

from actlab.activations import ActivationFactory


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
    """Conv2d (no bias) -> BatchNorm2d -> activation: the unit of ResNet, GoogLeNet and stems."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        activation: ActivationFactory,
        kernel_size: int = 3,
        stride: int = 1,
    ) -> None:
        super().__init__()
        self.conv = nn.Conv2d(
            in_channels, out_channels, kernel_size, stride, padding=kernel_size // 2, bias=False
        )
        self.norm = nn.BatchNorm2d(out_channels)
        self.act = activation()
