"""The small AlexNet used for CIFAR-10 (study S2)."""

from collections.abc import Sequence
from itertools import pairwise
from typing import ClassVar

from torch import Tensor, nn

from actlab.activations import ActivationFactory
from actlab.models.layers import named, scaled
from actlab.models.shapes import output_features

POOL_AFTER = (0, 1, 4)
"""AlexNet max-pools after its 1st, 2nd and 5th conv layers."""


class AlexNet(nn.Module):
    """Five 3x3 conv layers (max pooling after the 1st, 2nd and 5th), then three fully connected
    layers with dropout before the first two, as AlexNet, at CIFAR scale."""

    input_ndim: ClassVar[int | None] = 3

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        activation: ActivationFactory,
        channels: Sequence[int] = (64, 192, 384, 256, 256),
        hidden: Sequence[int] = (1024, 1024),
        dropout: float = 0.5,
        width: float = 1.0,
    ) -> None:
        super().__init__()
        widths = [input_shape[0], *(scaled(c, width) for c in channels)]
        layers: list[nn.Module] = []
        for index, (c_in, c_out) in enumerate(pairwise(widths)):
            layers += [nn.Conv2d(c_in, c_out, kernel_size=3, padding=1), activation()]
            if index in POOL_AFTER:
                layers.append(nn.MaxPool2d(2))
        self.features = named(*layers, nn.Flatten())

        dense: list[nn.Module] = []
        width_in = output_features(self.features, tuple(input_shape))
        for width_out in (scaled(h, width) for h in hidden):
            dense += [nn.Dropout(dropout), nn.Linear(width_in, width_out), activation()]
            width_in = width_out
        self.classifier = named(*dense, nn.Linear(width_in, num_classes))

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))
