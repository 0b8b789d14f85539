"""Activations and their derivatives drawn on one sheet, as S3-S5 draw them
(`actlab-plot-activations` draws the activation group's options, or a trained run's sites)."""

from itertools import chain

import torch
from matplotlib.figure import Figure
from torch import Tensor, nn
from torch.nn.parameter import is_lazy

Z = torch.linspace(-4.0, 4.0, 401)
"""Where the functions are drawn."""


def width(module: nn.Module) -> int:
    """How many units to feed `module`: its channels when its values are per channel, else 2."""
    sizes = [
        tensor.shape[-1]
        for tensor in chain(module.parameters(), module.buffers())
        if not is_lazy(tensor) and tensor.ndim
    ]
    return max([2, *sizes])


def curve(module: nn.Module, z: Tensor = Z) -> tuple[Tensor, Tensor]:
    """f(z) and df/dz of `module`'s first unit, the others held at 0: the function itself for
    elementwise activations (channel 0's values when per channel), softmax of (z, 0, ...) for
    softmax over units."""
    inputs = torch.zeros(len(z), width(module))
    inputs[:, 0] = z
    inputs.requires_grad_(True)
    outputs = module(inputs)[:, 0]
    (grad,) = torch.autograd.grad(outputs.sum(), inputs)
    return outputs.detach(), grad[:, 0]


def draw(panels: dict[str, list[tuple[str, nn.Module]]], columns: int = 4) -> Figure:
    """One panel per entry: each (label, module) as f (solid) and f' (dashed, same colour)."""
    columns = min(columns, len(panels))
    rows = -(-len(panels) // columns)
    figure = Figure(figsize=(3.4 * columns, 2.8 * rows), layout="constrained")
    for index, (title, modules) in enumerate(panels.items()):
        ax = figure.add_subplot(rows, columns, index + 1)
        for label, module in modules:
            values, slopes = curve(module)
            (line,) = ax.plot(Z, values, label=f"{label}")
            ax.plot(Z, slopes, linestyle="--", color=line.get_color(), label=f"{label}'")
        ax.axhline(0, color="grey", linewidth=0.5)
        ax.axvline(0, color="grey", linewidth=0.5)
        ax.set_title(title, fontsize="medium")
        ax.legend(fontsize="x-small")
    return figure
