"""What a run shows in the console: its config as a tree when it starts, no third-party noise."""

import logging
import warnings
from pathlib import Path

import rich
from omegaconf import DictConfig, OmegaConf
from rich.console import Console
from rich.syntax import Syntax
from rich.tree import Tree

from actlab.utils.atomic import atomic_path

FIRST = ("data", "model", "activation", "init", "optimizer", "scheduler", "loss", "trainer")
"""The config's parts that say what trains, shown first; the rest follow in the config's order."""


class DropMessages(logging.Filter):
    """Drops the log records whose message starts with one of `starts`."""

    def __init__(self, *starts: str) -> None:
        super().__init__()
        self.starts = starts

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.starts)


def quiet_third_parties() -> None:
    """Silence, narrowly by message and module, what other packages print at the defaults that
    says nothing about the run: Lightning's advertisement of its cloud logger, Lightning's own use
    of an API that torch deprecated (a warning to Lightning's developers, not to us), and its
    note that there is nothing to validate, which data.validation=none asks for."""
    rank_zero = logging.getLogger("lightning.pytorch.utilities.rank_zero")
    if not any(isinstance(existing, DropMessages) for existing in rank_zero.filters):
        rank_zero.addFilter(DropMessages("💡 Tip: For seamless cloud logging"))
    warnings.filterwarnings(
        "ignore",
        message=r".*isinstance\(treespec, LeafSpec\)",
        module=r"lightning\.pytorch\.utilities\._pytree",
    )
    warnings.filterwarnings(
        "ignore",
        message=r"Total length of `list` across ranks is zero",
        module=r"lightning\.pytorch\.utilities\.data",
    )


def config_tree(cfg: DictConfig) -> Tree:
    """The run's config (Hydra's own settings left out) as a tree: one branch per part, as YAML."""
    tree = Tree("config", guide_style="dim")
    parts = [key for key in FIRST if key in cfg]
    parts += [key for key in cfg if key not in parts and key != "hydra"]
    for key in parts:
        value = OmegaConf.select(cfg, key)
        text = (
            OmegaConf.to_yaml(value, resolve=True) if isinstance(value, DictConfig) else str(value)
        )
        tree.add(key, style="bold").add(Syntax(text.rstrip(), "yaml", theme="ansi_dark"))
    return tree


def print_config_tree(cfg: DictConfig, path: Path) -> None:
    """Print the config tree, and write it as plain text to `path` (atomically)."""
    tree = config_tree(cfg)
    rich.print(tree)
    with atomic_path(path) as partial, partial.open("w") as file:
        Console(file=file, width=120, color_system=None).print(tree)
