"""Resuming, decided once before a run's recipe: whether the run continues an earlier attempt in
its folder (`resume=true`, `ckpt_path`, a requeued SLURM job; the folder that
`actlab.storage.folders` chose), from which checkpoint, with which of its history, and from which
step its loggers write again (`ResumePlan`); and the check that a checkpoint holds the weights of
the model a config builds."""

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from actlab.storage.checkpoints import load_checkpoint
from actlab.storage.folders import checkpoint_run_folder, recorded_overrides
from actlab.storage.records import Record, read_record
from actlab.sweep.slurm import requeued
from actlab.utils.errors import CheckpointError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResumePlan:
    """How a run starts: afresh (the default), or continuing an earlier attempt in its folder.

    `checkpoint`: the state that fit starts from (`ckpt_path`, or the newer of the run's
    last.ckpt and interrupted.ckpt). `previous`: the earlier attempt's record, whose epochs before
    the checkpoint's carry over into this one's (`RunRecord`). `purge_step`: the loggers hide
    what the earlier attempt logged from this step on (0 where it left no checkpoint)."""

    checkpoint: Path | None = None
    previous: Record | None = None
    purge_step: int | None = None


def earlier_record(output_dir: Path, resume: bool, ckpt_path: str | None) -> Record | None:
    """The record of the earlier attempt of the run in `output_dir` that this command
    continues (`resume`, `ckpt_path`, a requeued SLURM job); None where it continues none."""
    continuing = resume or ckpt_path is not None or requeued()
    return read_record(output_dir) if continuing else None


def resume_plan(output_dir: Path, previous: Record | None, ckpt_path: str | None) -> ResumePlan:
    """The plan of the run in `output_dir` whose earlier attempt, unfinished, left `previous`
    (None: a new run), given `ckpt_path` to continue from. Raises CheckpointError for a
    checkpoint that is not a Lightning one."""
    if ckpt_path is not None:
        checkpoint: Path | None = Path(ckpt_path)
    elif previous is not None:
        checkpoint = checkpoint_to_resume(output_dir / "checkpoints")
    else:
        checkpoint = None
    if previous is None:
        return ResumePlan(checkpoint)
    step = 0 if checkpoint is None else lightning_checkpoint(checkpoint)["global_step"]
    return ResumePlan(checkpoint, previous, purge_step=step)


def checkpoint_to_resume(checkpoints: Path) -> Path | None:
    """The newer of `last.ckpt` (end of an epoch) and `interrupted.ckpt` in `checkpoints`."""
    found = [
        path for name in ("last.ckpt", "interrupted.ckpt") if (path := checkpoints / name).exists()
    ]
    return max(found, key=lambda path: path.stat().st_mtime, default=None)


def lightning_checkpoint(path: Path) -> dict[str, Any]:
    """The Lightning checkpoint at `path`, read safely (`load_checkpoint`) and memory-mapped: the
    shapes are read, the weights only where used, so Lightning's own load in fit is the only full
    read. Raises CheckpointError when it is not a Lightning checkpoint."""
    checkpoint = load_checkpoint(path, mmap=True)
    if not isinstance(checkpoint, dict) or not {"state_dict", "global_step"} <= checkpoint.keys():
        raise CheckpointError(
            f"ckpt_path={path} is not a Lightning checkpoint: it has no state_dict and global_step"
        )
    return checkpoint


def check_checkpoint_fits(path: Path, module: nn.Module) -> None:
    """Raise CheckpointError when the checkpoint at `path` is not a Lightning one, or its
    weights are not `module`'s (another model, activation, width or dataset)."""
    checkpoint = lightning_checkpoint(path)
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
