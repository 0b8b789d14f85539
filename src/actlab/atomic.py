"""Files that a kill never leaves half-written: each is written beside its final path, then
renamed over it in one step."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from lightning.pytorch.plugins.io import TorchCheckpointIO


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A hidden path beside `path` to write to, renamed over `path` when the block ends without
    error (and removed when it raises)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_text_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` atomically."""
    with atomic_path(path) as partial:
        partial.write_text(text)


class AtomicCheckpointIO(TorchCheckpointIO):
    """Lightning's checkpoints (torch.save), written atomically in their own folder. Lightning's
    own writer goes through the system's temp folder and, where that is on another disk (local
    /tmp, logs on a cluster's shared disk), copies to the final name: a kill during the copy
    leaves a truncated last.ckpt."""

    def save_checkpoint(
        self, checkpoint: dict[str, Any], path: str | Path, storage_options: Any | None = None
    ) -> None:
        if storage_options is not None:
            raise TypeError(f"{type(self).__name__} takes no storage_options: {storage_options}")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as partial:
            torch.save(checkpoint, partial)
