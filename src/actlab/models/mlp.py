"""A multilayer perceptron for images (flattened) and tabular features."""

import math
from collections import OrderedDict
from collections.abc import Sequence
from typing import ClassVar

from torch import nn

from actlab.activations import ActivationFactory
from actlab.models.layers import named


class MLP(nn.Sequential):
    """Flatten, then per hidden width Linear -> [BatchNorm1d] -> activation -> Dropout; its
    layers named by kind (`fc1`, `act1`, `drop1`, `fc2`...: `named`)."""

    input_ndim: ClassVar[int | None] = None

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        activation: ActivationFactory,
        hidden: Sequence[int] = (128,),
        dropout: float = 0.0,
        batch_norm: bool = False,
    ) -> None:
        layers: list[nn.Module] = [nn.Flatten()]
        width_in = math.prod(input_shape)
        for width_out in hidden:
            layers.append(nn.Linear(width_in, width_out))
            if batch_norm:
                layers.append(nn.BatchNorm1d(width_out))
            layers += [activation(), nn.Dropout(dropout)]
            width_in = width_out
        layers.append(nn.Linear(width_in, num_classes))
        super().__init__(OrderedDict(named(*layers).named_children()))
