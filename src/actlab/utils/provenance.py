"""What a run ran with: Python, the versions of its packages, and the git commit of the code."""

import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import torch

PACKAGES = (
    "actlab",
    "torch",
    "torchvision",
    "lightning",
    "torchmetrics",
    "hydra-core",
    "omegaconf",
    "tensorboard",
    "numpy",
    "scikit-learn",
)
"""The distributions whose versions each run records."""


def git_state(folder: Path) -> dict[str, str | bool | None]:
    """The commit checked out in `folder`, and whether tracked files differ from it (`dirty`);
    both None outside a git checkout or without git."""

    def git(*args: str) -> str:
        options = {"cwd": folder, "capture_output": True, "text": True, "check": True}
        return subprocess.run(["git", *args], **options).stdout

    try:
        commit = git("rev-parse", "HEAD").strip()
        changes = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": bool(changes.strip())}


def package_versions() -> dict[str, str | None]:
    """The installed version of each of `PACKAGES` (None where one is not installed)."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def provenance(code_dir: Path) -> dict[str, Any]:
    """The record of what a run ran with, for the code checked out in `code_dir`."""
    return {
        "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cuda": torch.version.cuda,
        "packages": package_versions(),
        "git": git_state(code_dir),
    }
