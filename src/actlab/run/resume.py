"""Resuming, decided once before a run's recipe: whether the run continues an earlier attempt in
its folder (`resume=true`, `ckpt_path`, a requeued SLURM job; the folder that
`actlab.storage.folders` chose), from which checkpoint, with which of its history, and from which
step its loggers write again, and whether the checkpoint holds the weights of the model the
config builds (`ResumePlan`)."""

import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import torch
from torch import nn

from actlab.storage.checkpoints import load_checkpoint
from actlab.storage.folders import checkpoint_run_folder, recorded_overrides
from actlab.storage.records import Record, Status, read_record
from actlab.sweep.slurm import requeued
from actlab.utils.errors import CheckpointError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResumePlan:
    """How a run starts: afresh (the default), or continuing an earlier attempt in its folder.

    `previous`: the earlier attempt's record, whose epochs before the checkpoint's carry over into
    this one's (`RunRecord`); `checkpoint`: the state that fit starts from (`ckpt_path`, or the
    newer of the run's last.ckpt and interrupted.ckpt)."""

    previous: Record | None = None
    checkpoint: Path | None = None

    @property
    def finished(self) -> bool:
        """Whether the earlier attempt ended ok and no checkpoint asks to train it on."""
        return (
            self.previous is not None
            and self.checkpoint is None
            and self.previous["status"] == Status.OK
        )

    @cached_property
    def saved(self) -> dict[str, Any] | None:
        """What the checkpoint holds, read once (`lightning_checkpoint`: safely, memory-mapped);
        None without one. Raises CheckpointError where it is not a Lightning checkpoint."""
        return None if self.checkpoint is None else lightning_checkpoint(self.checkpoint)

    @property
    def purge_step(self) -> int | None:
        """The step from which the loggers hide what the earlier attempt logged (its checkpoint's,
        or 0 where it left none); None for a new run."""
        if self.previous is None:
            return None
        return 0 if self.saved is None else self.saved["global_step"]

    def check_fits(self, module: nn.Module) -> None:
        """Raise CheckpointError when the checkpoint is not a Lightning one, or its weights are
        not `module`'s (another model, activation, width or dataset)."""
        if self.saved is None:
            return
        differences = state_differences(self.saved["state_dict"], module.state_dict())
        if differences:
            run_dir = checkpoint_run_folder(str(self.checkpoint))
            recorded = None if run_dir is None else recorded_overrides(run_dir)
            hint = (
                f"; it was saved by a run of {' '.join(recorded) or 'the default config'}"
                if recorded is not None
                else ""
            )
            raise CheckpointError(
                f"ckpt_path={self.checkpoint} holds the weights of another model than this config "
                f"builds ({'; '.join(differences)}){hint}"
            )


def resume_plan(output_dir: Path, resume: bool, ckpt_path: str | None) -> ResumePlan:
    """The plan of the run in `output_dir`: it continues the earlier attempt there with
    `resume`, `ckpt_path` (from that checkpoint) or as a requeued SLURM job; the others start
    afresh (from `ckpt_path` where it is a checkpoint outside a run folder)."""
    continuing = resume or ckpt_path is not None or requeued()
    previous = read_record(output_dir) if continuing else None
    if ckpt_path is not None:
        return ResumePlan(previous, Path(ckpt_path))
    if previous is None or previous["status"] == Status.OK:
        return ResumePlan(previous)
    return ResumePlan(previous, checkpoint_to_resume(output_dir / "checkpoints"))


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
