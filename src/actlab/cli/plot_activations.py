"""`actlab-plot-activations [NAME ...] [--ckpt CKPT] [--out PNG]`: activations and their
derivatives on one sheet, as S3-S5 draw them; the learnable ones of a trained run at their
learned values."""

import argparse
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.utils import get_class, instantiate
from torch import nn

from actlab.activations import ActivationFactory
from actlab.activations.plot import draw
from actlab.activations.sites import learnable_sites
from actlab.config import CONFIG_DIR, run_config
from actlab.config.build import build_model
from actlab.storage.checkpoints import load_checkpoint


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
        for name, site in learnable_sites(model).items()
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
