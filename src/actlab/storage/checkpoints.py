"""Checkpoints: written whole or not at all, and read with torch's safe loader only.

A checkpoint is a pickle, and unpickling can call any function the file names: a crafted one runs
code on the machine that loads it. torch's safe loader (`weights_only=True`) accepts tensors,
numbers, strings and plain containers, and refuses anything else before it runs. actlab stores
nothing else in its checkpoints, and every load of one, actlab's own and Lightning's (through
`CheckpointIO`), goes through `load_checkpoint`.
"""

import pickle
import re
from pathlib import Path
from typing import Any

import torch
from lightning.pytorch.plugins.io import TorchCheckpointIO

from actlab.utils.atomic import atomic_path
from actlab.utils.errors import CheckpointError


def load_checkpoint(path: str | Path, mmap: bool = False) -> dict[str, Any]:
    """The checkpoint at `path`, on the CPU, memory-mapped when `mmap`. Raises `CheckpointError`
    when there is no such file, when it cannot be read, or when it holds more than the safe
    loader accepts (then nothing in it has run)."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"ckpt_path={path} is not a file")
    try:
        return torch.load(path, map_location="cpu", weights_only=True, mmap=mmap)
    except pickle.UnpicklingError as error:
        if "Weights only load failed" not in str(error):
            raise CheckpointError(f"ckpt_path={path} could not be read: {error}") from error
        named = re.search(r"GLOBAL (\S+)", str(error))
        what = f"it names {named.group(1)}" if named else "objects of other kinds"
        raise CheckpointError(
            f"ckpt_path={path} was refused: it holds more than tensors, numbers, strings and "
            f"plain containers ({what}), and loading that would run code named in the file. "
            "Nothing in it was run. actlab writes no such checkpoint: this one was made "
            "elsewhere, or altered."
        ) from None
    except Exception as error:  # a file cut short, or no checkpoint at all: zip, EOF
        raise CheckpointError(
            f"ckpt_path={path} could not be read as a checkpoint ({type(error).__name__}: {error})"
        ) from error


class CheckpointIO(TorchCheckpointIO):
    """Lightning's checkpoints, written atomically in their own folder and read safely.

    Lightning's own writer stages each checkpoint in the system's temp folder and, where that is
    on another disk (local /tmp, logs on a cluster's shared disk), copies it to the final name: a
    kill during the copy leaves a truncated last.ckpt. Its reader unpickles whatever a file holds
    unless told otherwise; this one never does."""

    def save_checkpoint(
        self, checkpoint: dict[str, Any], path: str | Path, storage_options: Any | None = None
    ) -> None:
        if storage_options is not None:
            raise TypeError(f"{type(self).__name__} takes no storage_options: {storage_options}")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as partial:
            torch.save(checkpoint, partial)

    def load_checkpoint(
        self, path: str | Path, map_location: Any | None = None, weights_only: bool | None = None
    ) -> dict[str, Any]:
        if weights_only is False:
            raise TypeError(f"{type(self).__name__} loads with torch's safe loader only")
        return load_checkpoint(path)
