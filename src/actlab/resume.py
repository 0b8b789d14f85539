"""Resuming: the checkpoint a run continues from, with `resume=true` or
`ckpt_path`, in the folder that `actlab.folders` chose."""

import logging
from pathlib import Path
from typing import Any

import torch
from torch import nn

from actlab.checkpoints import load_checkpoint
from actlab.errors import CheckpointError
from actlab.folders import checkpoint_run_folder, recorded_overrides

log = logging.getLogger(__name__)


def checkpoint_to_resume(checkpoints: Path) -> Path | None:
    """The newer of `last.ckpt` (end of an epoch) and `interrupted.ckpt` in `checkpoints`."""
    found = [
        path for name in ("last.ckpt", "interrupted.ckpt") if (path := checkpoints / name).exists()
    ]
    return max(found, key=lambda path: path.stat().st_mtime, default=None)


def read_checkpoint(path: Path, module: nn.Module) -> dict[str, Any]:
    """The Lightning checkpoint at `path` that `module` is to continue from, read safely
    (`load_checkpoint`). Raises CheckpointError also when it is not a Lightning checkpoint, or
    when its weights are not `module`'s (another model, activation, width or dataset)."""
    # Memory-mapped: the shapes are read, the weights only where used (the global step is), so
    # Lightning's own load in fit is the only full read.
    checkpoint = load_checkpoint(path, mmap=True)
    if not isinstance(checkpoint, dict) or not {"state_dict", "global_step"} <= checkpoint.keys():
        raise CheckpointError(
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
        raise CheckpointError(
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
