"""LeNet-5, as the CIFAR-10 studies (S2) and MNIST tutorials use it."""

from collections.abc import Sequence
from itertools import pairwise
from typing import ClassVar

from torch import Tensor, nn

from actlab.activations import ActivationFactory
from actlab.models.layers import named
from actlab.models.shapes import output_features

LENET_INPUT_SIZE = 32
"""LeNet-5 was designed for 32x32 inputs; LeCun et al. (1998) padded MNIST's 28x28 digits to it."""


class LeNet(nn.Module):
    """Two 5x5 conv layers with max pooling, then three fully connected layers.

    Inputs smaller than 32x32 are zero-padded to 32x32 first, as in the original paper, so the
    network is the same on 1x28x28 and 3x32x32 data.
    """

    input_ndim: ClassVar[int | None] = 3

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        activation: ActivationFactory,
        channels: Sequence[int] = (6, 16),
        hidden: Sequence[int] = (120, 84),
    ) -> None:
        super().__init__()
        in_channels, height, width = input_shape
        pad_h = max(0, LENET_INPUT_SIZE - height)
        pad_w = max(0, LENET_INPUT_SIZE - width)
        layers: list[nn.Module] = [
            nn.ZeroPad2d((pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2))
        ]
        for c_in, c_out in pairwise([in_channels, *channels]):
            layers += [nn.Conv2d(c_in, c_out, kernel_size=5), activation(), nn.MaxPool2d(2)]
        self.features = named(*layers, nn.Flatten())

        dense: list[nn.Module] = []
        width_in = output_features(self.features, tuple(input_shape))
        for width_out in hidden:
            dense += [nn.Linear(width_in, width_out), activation()]
            width_in = width_out
        self.classifier = named(*dense, nn.Linear(width_in, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))
