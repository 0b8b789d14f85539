"""Resuming: the run or sweep folder that a command with `resume=true` or `ckpt_path` continues,
and the checkpoint each of its runs continues from."""

import json
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import torch
from omegaconf import OmegaConf
from torch import nn

from actlab.checks import ConfigError

log = logging.getLogger(__name__)

STAMP = "%Y-%m-%d_%H-%M-%S"
"""How run and sweep folders are named: the time they started."""


def task_overrides(argv: Sequence[str]) -> list[str]:
    """The overrides of a command line that say what runs (`key=value`, `+key=...`, `~key`),
    without Hydra's own (`hydra...`) and without `resume` and `ckpt_path`, in a fixed order."""
    overrides = []
    for arg in argv:
        if arg.startswith("-") or not ("=" in arg or arg.startswith("~")):
            continue  # a flag (-m, --config-name=...), or a flag's value
        key = arg.lstrip("+~").split("=", 1)[0]
        if key not in ("resume", "ckpt_path") and not key.startswith(("hydra.", "hydra/")):
            overrides.append(arg)
    return sorted(overrides)


def recorded_overrides(folder: Path) -> list[str] | None:
    """The task overrides that started the run or sweep in `folder` (from Hydra's
    `.hydra/overrides.yaml` or `multirun.yaml`), or None when it has no such record."""
    if (folder / "multirun.yaml").exists():
        recorded = OmegaConf.load(folder / "multirun.yaml").hydra.overrides.task
    elif (folder / ".hydra" / "overrides.yaml").exists():
        recorded = OmegaConf.load(folder / ".hydra" / "overrides.yaml")
    else:
        return None
    return task_overrides(list(recorded))


def checkpoint_run_folder(ckpt_path: str | None) -> Path | None:
    """The run folder that holds `ckpt_path` (<run dir>/checkpoints/*.ckpt), if it is in one."""
    if ckpt_path is None:
        return None
    checkpoints = Path(ckpt_path).parent
    run_dir = checkpoints.parent
    return run_dir if checkpoints.name == "checkpoints" and (run_dir / ".hydra").is_dir() else None


def run_folder(parent: str, resume: bool, ckpt_path: str | None = None) -> str:
    """The folder of this command's run or sweep: the run folder that holds `ckpt_path`; with
    `resume`, the newest folder in `parent` that the same command started (same overrides,
    `resume` and `ckpt_path` aside); else a new one in `parent`, named by the time now."""
    if (run_dir := checkpoint_run_folder(ckpt_path)) is not None:
        return str(run_dir)
    if resume:
        wanted = task_overrides(sys.argv[1:])
        folders = Path(parent).iterdir() if Path(parent).is_dir() else []
        for folder in sorted(folders, reverse=True):
            if recorded_overrides(folder) == wanted:
                log.info("Resuming %s", folder)
                return str(folder)
        log.warning("resume=true, but no run of this command in %s: starting afresh", parent)
    return str(Path(parent) / datetime.now().strftime(STAMP))


def config_subdir(ckpt_path: str | None) -> str:
    """Where in its run folder Hydra records the config of this command: `.hydra`, except for
    a command that continues a run from `ckpt_path` in that run's folder, whose config goes to
    `.hydra/continued/<time>`. The run's own record stays as it was: what eval.py rebuilds the
    model from, and what `resume=true` finds the run by."""
    if checkpoint_run_folder(ckpt_path) is None:
        return ".hydra"
    return f".hydra/continued/{datetime.now().strftime(STAMP)}"


def previous_record(path: Path) -> dict[str, Any] | None:
    """The metrics.json a run left at `path`, if any."""
    return json.loads(path.read_text()) if path.exists() else None


def checkpoint_to_resume(checkpoints: Path) -> Path | None:
    """The newer of `last.ckpt` (end of an epoch) and `interrupted.ckpt` in `checkpoints`."""
    found = [
        path for name in ("last.ckpt", "interrupted.ckpt") if (path := checkpoints / name).exists()
    ]
    return max(found, key=lambda path: path.stat().st_mtime, default=None)


def read_checkpoint(path: Path, module: nn.Module) -> dict[str, Any]:
    """The Lightning checkpoint at `path` that `module` is to continue from. Raises ConfigError
    when there is no such file, when it is not a Lightning checkpoint, or when its weights are
    not `module`'s (another model, activation, width or dataset)."""
    if not path.is_file():
        raise ConfigError(f"ckpt_path={path} is not a file")
    try:
        # Memory-mapped: the shapes are read, the weights only where used (the global step is),
        # so Lightning's own load in fit is the only full read.
        checkpoint = torch.load(path, map_location="cpu", weights_only=False, mmap=True)
    except Exception as error:  # a file cut short, or no checkpoint at all: zip, pickle, EOF
        raise ConfigError(
            f"ckpt_path={path} could not be read as a checkpoint ({type(error).__name__}: {error})"
        ) from error
    if not isinstance(checkpoint, dict) or not {"state_dict", "global_step"} <= checkpoint.keys():
        raise ConfigError(
            f"ckpt_path={path} is not a Lightning checkpoint: it has no state_dict and global_step"
        )
    differences = state_differences(checkpoint["state_dict"], module.state_dict())
    if differences:
        run_dir = checkpoint_run_folder(str(path))
        recorded = None if run_dir is None else recorded_overrides(run_dir)
        hint = (
            f"; it was saved by a run of {' '.join(recorded) or 'the default config'}"
            if recorded is not None
            else ""
        )
        raise ConfigError(
            f"ckpt_path={path} holds the weights of another model than this config builds "
            f"({'; '.join(differences)}){hint}"
        )
    return checkpoint


def shape(tensor: torch.Tensor) -> str:
    """A tensor's shape as `16x30`."""
    return "x".join(str(size) for size in tensor.shape) or "scalar"


def state_differences(saved: dict[str, Any], wanted: dict[str, Any], shown: int = 3) -> list[str]:
    """How the tensors of the state dict `saved` differ from `wanted`'s: names missing, names
    unexpected, shapes that differ (the first `shown` of each). Empty when they match."""
    missing = [name for name in wanted if name not in saved]
    unexpected = [name for name in saved if name not in wanted]
    reshaped = [
        f"{name} ({shape(saved[name])} there, {shape(wanted[name])} here)"
        for name in wanted
        if name in saved and saved[name].shape != wanted[name].shape
    ]
    return [
        f"{len(names)} {what}: {', '.join(names[:shown])}{', ...' if len(names) > shown else ''}"
        for what, names in (
            ("missing", missing),
            ("not in this model", unexpected),
            ("of another shape", reshaped),
        )
        if names
    ]
