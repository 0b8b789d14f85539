"""One initialisation rule for every convolution and linear layer of a model."""

from functools import partial

from torch import Tensor, nn

from actlab.activations.registry import kind_of

LAYERS = (nn.modules.conv._ConvNd, nn.Linear)
"""The layers whose weights an initialisation sets; norm layers and activations keep their own."""


def nonlinearity_of(activation: nn.Module) -> dict[str, float | str]:
    """Kaiming's `nonlinearity` (and `a`) for `activation`, or nothing where PyTorch has no gain
    for it (the activation registry says which)."""
    kind = kind_of(activation)
    name = None if kind is None else kind.gain
    if name is None:
        return {}
    if isinstance(activation, nn.LeakyReLU):
        return {"nonlinearity": name, "a": activation.negative_slope}
    return {"nonlinearity": name}


def to_alpha_dropout(model: nn.Module) -> None:
    """Replace every Dropout of `model` by AlphaDropout of the same rate."""
    for module in list(model.modules()):
        for name, child in module.named_children():
            if type(child) is nn.Dropout:
                setattr(module, name, nn.AlphaDropout(child.p))


class Initializer:
    """Sets every conv and linear weight with `weight` (a `torch.nn.init` function, partial) and
    their biases to `bias`; `None` keeps PyTorch's own start for either. With `first_layers`, only
    the first that many conv and linear layers (in the model's order) are set, the others keep
    PyTorch's start (S3's code sets the first layer's weight alone).

    With `match_activation`, `weight` gets the `nonlinearity` of the model's activation where
    PyTorch knows its gain (ReLU, LeakyReLU with its slope, tanh, sigmoid, SELU), else keeps its
    own. With `alpha_dropout`, a SELU model's Dropout layers become AlphaDropout, which keeps
    SELU's self-normalisation (Klambauer et al.; S4).
    """

    def __init__(
        self,
        weight: partial[Tensor] | None = None,
        bias: float | None = None,
        match_activation: bool = False,
        alpha_dropout: bool = False,
        first_layers: int | None = None,
    ) -> None:
        self.weight = weight
        self.first_layers = first_layers
        self.bias = bias
        self.match_activation = match_activation
        self.alpha_dropout = alpha_dropout

    def __call__(self, model: nn.Module, activation: nn.Module) -> None:
        """Initialise `model`, whose activation sites are like `activation`."""
        weight = self.weight
        if weight is not None and self.match_activation:
            weight = partial(weight, **nonlinearity_of(activation))
        layers = [layer for layer in model.modules() if isinstance(layer, LAYERS)]
        for layer in layers[: self.first_layers]:
            if weight is not None:
                weight(layer.weight)
            if self.bias is not None and layer.bias is not None:
                nn.init.constant_(layer.bias, self.bias)
        if self.alpha_dropout and isinstance(activation, nn.SELU):
            to_alpha_dropout(model)
