"""Resuming: the run or sweep folder that a command with `resume=true` continues, and the
checkpoint each of its runs continues from."""

import json
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

log = logging.getLogger(__name__)

STAMP = "%Y-%m-%d_%H-%M-%S"
"""How run and sweep folders are named: the time they started."""


def task_overrides(argv: Sequence[str]) -> list[str]:
    """The overrides of a command line that say what runs (`key=value`, `+key=...`, `~key`),
    without Hydra's own (`hydra...`) and without `resume`, in a fixed order."""
    overrides = []
    for arg in argv:
        if arg.startswith("-") or not ("=" in arg or arg.startswith("~")):
            continue  # a flag (-m, --config-name=...), or a flag's value
        key = arg.lstrip("+~").split("=", 1)[0]
        if key != "resume" and not key.startswith(("hydra.", "hydra/")):
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


def folder_stamp(parent: str, resume: bool) -> str:
    """The name of the folder in `parent` for this command: with `resume`, the newest one that
    the same command started (same overrides, `resume` aside), else the time now."""
    if resume:
        wanted = task_overrides(sys.argv[1:])
        folders = Path(parent).iterdir() if Path(parent).is_dir() else []
        for folder in sorted(folders, reverse=True):
            if recorded_overrides(folder) == wanted:
                log.info("Resuming %s", folder)
                return folder.name
        log.warning("resume=true, but no run of this command in %s: starting afresh", parent)
    return datetime.now().strftime(STAMP)


def previous_record(path: Path) -> dict[str, Any] | None:
    """The metrics.json a run left at `path`, if any."""
    return json.loads(path.read_text()) if path.exists() else None


def checkpoint_to_resume(checkpoints: Path) -> Path | None:
    """The newer of `last.ckpt` (end of an epoch) and `interrupted.ckpt` in `checkpoints`."""
    found = [
        path for name in ("last.ckpt", "interrupted.ckpt") if (path := checkpoints / name).exists()
    ]
    return max(found, key=lambda path: path.stat().st_mtime, default=None)
