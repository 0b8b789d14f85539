"""Where a model's activations are: the modules of the registered activation classes, by name."""

from torch import nn

from actlab.activations.registry import is_activation, is_learnable


def activation_sites(model: nn.Module) -> dict[str, nn.Module]:
    """Every activation of `model` by module name, leaving out a mixture's components (they are
    part of their mixture's site)."""
    sites: dict[str, nn.Module] = {}
    for name, module in model.named_modules():
        inside_a_site = any(name.startswith(f"{site}.") for site in sites)
        if is_activation(module) and not inside_a_site:
            sites[name] = module
    return sites


def learnable_sites(model: nn.Module) -> dict[str, nn.Module]:
    """The learnable activations among `model`'s sites: the adaptive ones, PReLU, and any
    registered as learnable."""
    return {name: site for name, site in activation_sites(model).items() if is_learnable(site)}
