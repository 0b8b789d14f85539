"""Where a model's activations are: the modules its activation factory built, by name."""

from torch import nn

from actlab.activations.adaptive import AdaptiveActivation


def is_activation(module: nn.Module) -> bool:
    """PyTorch's activation modules (torch.nn.modules.activation) and actlab's adaptive ones."""
    return isinstance(module, AdaptiveActivation) or type(module).__module__ == nn.ReLU.__module__


def activation_sites(model: nn.Module) -> dict[str, nn.Module]:
    """Every activation of `model` by module name, leaving out a mixture's components (they are
    part of their mixture's site)."""
    sites: dict[str, nn.Module] = {}
    for name, module in model.named_modules():
        inside_a_site = any(name.startswith(f"{site}.") for site in sites)
        if is_activation(module) and not inside_a_site:
            sites[name] = module
    return sites


def adaptive_sites(model: nn.Module) -> dict[str, AdaptiveActivation]:
    """The adaptive activations among `model`'s sites."""
    return {
        name: site
        for name, site in activation_sites(model).items()
        if isinstance(site, AdaptiveActivation)
    }
