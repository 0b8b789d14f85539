"""The 3-block ConvNet of study S1."""

from collections.abc import Sequence
from itertools import pairwise
from typing import ClassVar

from torch import Tensor, nn

from actlab.activations import ActivationFactory
from actlab.models.layers import named
from actlab.models.shapes import output_features


class ConvBlock(nn.Sequential):
    """Conv2d -> BatchNorm2d -> MaxPool2d(2) -> activation -> Dropout, in S1's order."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        activation: ActivationFactory,
        kernel_size: int,
        padding: int,
        dropout: float,
        batch_norm: bool,
    ) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding=padding)
        self.norm = nn.BatchNorm2d(out_channels) if batch_norm else nn.Identity()
        self.pool = nn.MaxPool2d(2)
        self.act = activation()
        self.drop = nn.Dropout(dropout)


class ConvNet(nn.Module):
    """S1's ConvNet: conv blocks, then flatten -> Linear -> activation -> Linear.

    The flattened size follows from the input shape (S1's original hard-codes it). S1 ends with a
    log-softmax; here the model returns logits and the loss applies it.
    """

    input_ndim: ClassVar[int | None] = 3

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        activation: ActivationFactory,
        channels: Sequence[int] = (32, 64, 128),
        hidden: int = 128,
        kernel_size: int = 3,
        padding: int = 1,
        dropout: float = 0.15,
        batch_norm: bool = True,
    ) -> None:
        super().__init__()
        self.features = named(
            *(
                ConvBlock(c_in, c_out, activation, kernel_size, padding, dropout, batch_norm)
                for c_in, c_out in pairwise([input_shape[0], *channels])
            ),
            nn.Flatten(),
        )
        self.classifier = named(
            nn.Linear(output_features(self.features, tuple(input_shape)), hidden),
            activation(),
            nn.Linear(hidden, num_classes),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))
