"""The one answer to "what is an activation": the classes registered here, and what each is.

Every part that looks for activations asks this registry: the sites of a model (diagnostics,
the activation sheet), the learnable ones (their own optimizer group, their values logged per
layer) and the gain an initialisation matches (Kaiming's `nonlinearity`). PyTorch's activation
modules are registered here, actlab's adaptive ones where they are defined (`@register`). A
class of your own is registered by the line `register(MyActivation)` (or the decorator), or
simply by being the class that the `activation` group builds: `build_model` registers it, as
learnable when it has parameters that train.
"""

from dataclasses import dataclass

from torch import nn

GAINS: dict[type[nn.Module], str] = {
    nn.ReLU: "relu",
    nn.LeakyReLU: "leaky_relu",
    nn.Tanh: "tanh",
    nn.Sigmoid: "sigmoid",
    nn.SELU: "selu",
}
"""PyTorch's activations whose gain `torch.nn.init.calculate_gain` knows, by its name for them."""


@dataclass(frozen=True)
class Kind:
    """What actlab knows of an activation class: whether its parameters are the activation's own
    (`learnable`: an optimizer group of their own, values logged per layer), and its name for
    `torch.nn.init.calculate_gain`, where PyTorch knows its gain."""

    learnable: bool = False
    gain: str | None = None


KINDS: dict[type[nn.Module], Kind] = {}
"""Every registered activation class; a subclass is what its nearest registered base is."""


def register(
    cls: type[nn.Module] | None = None, *, learnable: bool = False, gain: str | None = None
):
    """Register `cls` as an activation (`register(MyActivation, learnable=True)`), or, without
    `cls`, return a class decorator that does (`@register(learnable=True)`)."""

    def add(target: type[nn.Module]) -> type[nn.Module]:
        KINDS[target] = Kind(learnable, gain)
        return target

    return add if cls is None else add(cls)


def kind_of(module: nn.Module) -> Kind | None:
    """What `module` is as an activation, or None when it is none."""
    return next((KINDS[cls] for cls in type(module).__mro__ if cls in KINDS), None)


def is_activation(module: nn.Module) -> bool:
    """Whether `module` is an activation."""
    return kind_of(module) is not None


def is_learnable(module: nn.Module) -> bool:
    """Whether `module` is an activation whose parameters are its own."""
    kind = kind_of(module)
    return kind is not None and kind.learnable


def adopt(activation: nn.Module) -> None:
    """Register the class of `activation` (one that the `activation` group built) where it is
    not yet: learnable when it has parameters that train."""
    if not is_activation(activation):
        learnable = any(param.requires_grad for param in activation.parameters())
        register(type(activation), learnable=learnable)


def learned_values(activation: nn.Module) -> dict[str, float]:
    """A learnable activation's values by name, each a mean over channels: its own account of
    them where it gives one (`learned_values()`, as the adaptive ones do), else its parameters'."""
    if hasattr(activation, "learned_values"):
        return activation.learned_values()
    return {name: param.mean().item() for name, param in activation.named_parameters()}


def register_pytorchs() -> None:
    """Register PyTorch's activation modules (those of torch.nn.modules.activation, attention
    aside): PReLU as learnable, each with its gain where PyTorch knows it."""
    for cls in vars(nn.modules.activation).values():
        if (
            isinstance(cls, type)
            and issubclass(cls, nn.Module)
            and cls.__module__ == nn.modules.activation.__name__
            and cls is not nn.MultiheadAttention
        ):
            register(cls, learnable=cls is nn.PReLU, gain=GAINS.get(cls))


register_pytorchs()
