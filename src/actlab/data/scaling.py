"""How a dataset's inputs become the model's float inputs: the options of the `data/scaling` group.

A study's input scaling is part of its protocol (S3's activations part sees pixels in [0, 1], its
optimizers part pixels in [-1, 1]), so each is a choice. Every scaling is `(x - shift) / scale`
per channel (images) or per feature (tables), fitted once to the training part and applied to
each batch on the training device.
"""

import torch
from torch import Tensor, nn

from actlab.utils.errors import ConfigError

PIXEL_MAX = 255.0
"""The largest value of an 8-bit pixel: uint8 images are divided by it to lie in [0, 1]."""


def per_channel(values: Tensor, like: Tensor) -> Tensor:
    """`values` (one, or one per channel) shaped to broadcast over batches like `like`."""
    return values.reshape(1, -1, *[1] * (like.ndim - 2))


class Scaling(nn.Module):
    """`(x - shift) / scale`, as float32, with `shift` and `scale` set by `fit`."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("shift", torch.zeros(()))
        self.register_buffer("scale", torch.ones(()))

    def fit(self, inputs: Tensor) -> None:
        """Set `shift` and `scale` from the training part's `inputs` (examples first)."""
        raise NotImplementedError

    def forward(self, inputs: Tensor) -> Tensor:
        return (inputs.float() - self.shift) / self.scale


class Standardize(Scaling):
    """Zero mean and unit std per channel or feature, with the training part's own statistics."""

    def fit(self, inputs: Tensor) -> None:
        dims = [dim for dim in range(inputs.ndim) if dim != 1]
        std, mean = torch.std_mean(inputs.float(), dim=dims, keepdim=True)
        # A constant feature has std 0; eps keeps it at 0 instead of turning it into NaN.
        self.shift, self.scale = mean, std.clamp_min(torch.finfo(std.dtype).eps)


class UnitRange(Scaling):
    """Into [0, 1]: 8-bit pixels divided by 255 (torchvision's `ToTensor`, Keras code's
    `x / 255`); other inputs min-max scaled per feature with the training part's extremes."""

    def fit(self, inputs: Tensor) -> None:
        if inputs.dtype == torch.uint8:
            self.shift, self.scale = torch.zeros(()), torch.tensor(PIXEL_MAX)
            return
        dims = [dim for dim in range(inputs.ndim) if dim != 1]
        low = inputs.float().amin(dim=dims, keepdim=True)
        high = inputs.float().amax(dim=dims, keepdim=True)
        self.shift, self.scale = low, (high - low).clamp_min(torch.finfo(low.dtype).eps)


class Normalize(Scaling):
    """torchvision's `ToTensor` then `Normalize(mean, std)`: 8-bit pixels into [0, 1], then
    `(x - mean) / std` with fixed values (one for all channels or one per channel), whatever the
    data. MNIST's own are 0.1307 and 0.3081; 0.5 and 0.5 map [0, 1] to [-1, 1]. Inputs that are
    not 8-bit are taken as they are."""

    def __init__(self, mean: float | list[float], std: float | list[float]) -> None:
        super().__init__()
        self.values = {"mean": mean, "std": std}
        self.mean = torch.tensor(mean, dtype=torch.float32)
        self.std = torch.tensor(std, dtype=torch.float32)
        if (self.std <= 0).any():
            raise ConfigError(f"data.scaling.std={std} is not allowed: every std must be > 0")

    def fit(self, inputs: Tensor) -> None:
        channels = inputs.shape[1]
        for name, values in self.values.items():
            if torch.tensor(values).numel() not in (1, channels):
                raise ConfigError(
                    f"data.scaling.{name}={values} does not fit inputs of {channels} "
                    f"channels: give one value, or one per channel"
                )
        unit = PIXEL_MAX if inputs.dtype == torch.uint8 else 1.0
        self.shift = per_channel(self.mean * unit, inputs)
        self.scale = per_channel(self.std * unit, inputs)
