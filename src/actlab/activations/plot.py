"""`actlab-plot-activations`: activations and their derivatives on one sheet, as S3-S5 draw them;
the learnable ones of a trained run at their learned values."""

import argparse
from itertools import chain
from pathlib import Path

import torch
from hydra import compose, initialize_config_dir
from hydra.utils import get_class, instantiate
from matplotlib.figure import Figure
from torch import Tensor, nn
from torch.nn.parameter import is_lazy

from actlab.activations import LEARNABLE_ACTIVATIONS, ActivationFactory
from actlab.build import build_model
from actlab.checkpoints import load_checkpoint
from actlab.config import CONFIG_DIR
from actlab.evaluate import run_config

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


def activation_factory(name: str) -> ActivationFactory:
    """The factory that `python train.py activation=NAME` hands to the models."""
    with initialize_config_dir(config_dir=str(CONFIG_DIR / "activation"), version_base="1.3"):
        return instantiate(compose(name))


def config_panels(names: list[str]) -> dict[str, list[tuple[str, nn.Module]]]:
    """Each activation option at its start: f and f'."""
    return {name: [(name, activation_factory(name)())] for name in names}


def checkpoint_panels(ckpt_path: Path) -> dict[str, list[tuple[str, nn.Module]]]:
    """Each learnable activation site of a trained run, at its learned values and at its start."""
    cfg = run_config(ckpt_path)
    data = get_class(cfg.data._target_)
    model = build_model(cfg, data.input_shape, data.num_classes)
    state = load_checkpoint(ckpt_path)["state_dict"]
    model.load_state_dict({key.removeprefix("model."): value for key, value in state.items()})
    start = build_model(cfg, data.input_shape, data.num_classes)
    starts = dict(start.named_modules())
    return {
        name: [("learned", site), ("start", starts[name])]
        for name, site in model.named_modules()
        if isinstance(site, LEARNABLE_ACTIVATIONS)
    }


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and draw the sheet."""
    options = sorted(path.stem for path in (CONFIG_DIR / "activation").glob("*.yaml"))
    parser = argparse.ArgumentParser(prog="actlab-plot-activations", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help="activation options (all)")
    parser.add_argument("--ckpt", type=Path, help="a run's checkpoint: draw its learned sites")
    parser.add_argument("--out", type=Path, default=Path("activations.png"))
    args = parser.parse_args(argv)
    if args.ckpt and args.names:
        parser.error("give activation names or --ckpt, not both")
    unknown = [name for name in args.names if name not in options]
    if unknown:
        parser.error(f"unknown activation {', '.join(unknown)}; choose from {', '.join(options)}")
    panels = checkpoint_panels(args.ckpt) if args.ckpt else config_panels(args.names or options)
    if not panels:
        parser.error(f"the run of {args.ckpt} has no learnable activation to draw")
    draw(panels).savefig(args.out, dpi=110)
    print(args.out)


if __name__ == "__main__":
    main()
