"""The small Keras CNN of study S4 (Keras's MNIST example network)."""

from collections.abc import Sequence
from itertools import pairwise
from typing import ClassVar

from torch import Tensor, nn

from actlab.activations import ActivationFactory
from actlab.models.layers import named
from actlab.models.shapes import output_features


class KerasCNN(nn.Module):
    """Conv3x3 layers ('valid' padding) each followed by the activation, one MaxPool2d(2), Dropout,
    then Flatten -> Linear -> activation -> Dropout -> Linear.

    With `batch_norm` each conv and hidden linear layer is followed by batch normalisation
    before its activation (not in S4). The flattened size follows from the input shape.
    """

    input_ndim: ClassVar[int | None] = 3

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        activation: ActivationFactory,
        channels: Sequence[int] = (32, 64),
        hidden: int = 128,
        dropout: float = 0.25,
        hidden_dropout: float = 0.5,
        batch_norm: bool = False,
    ) -> None:
        super().__init__()
        features: list[nn.Module] = []
        for c_in, c_out in pairwise([input_shape[0], *channels]):
            features.append(nn.Conv2d(c_in, c_out, kernel_size=3))
            if batch_norm:
                features.append(nn.BatchNorm2d(c_out))
            features.append(activation())
        features += [nn.MaxPool2d(2), nn.Dropout(dropout), nn.Flatten()]
        self.features = named(*features)
        dense: list[nn.Module] = [
            nn.Linear(output_features(self.features, tuple(input_shape)), hidden)
        ]
        if batch_norm:
            dense.append(nn.BatchNorm1d(hidden))
        dense += [activation(), nn.Dropout(hidden_dropout), nn.Linear(hidden, num_classes)]
        self.classifier = named(*dense)

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier(self.features(x))
