"""Where a command's run or sweep goes: a folder of its own, claimed when it is made, or the
folder that it continues (`resume=true`, `ckpt_path`), chosen once as the command starts
(`RunFolder`, a Hydra callback); where in it the command records its config and log; and the lock
that the command training a run holds on its folder. The `config_subdir` and `log_file` resolvers
of `conf/hydra/default.yaml` call this module."""

import logging
import os
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf, read_write

from actlab.utils.locks import unless_taken

log = logging.getLogger(__name__)

STAMP = "%Y-%m-%d_%H-%M-%S"
"""How run and sweep folders are named: the time they started."""


def task_overrides(argv: Sequence[str]) -> list[str]:
    """The overrides of a command line (or of its recorded task overrides) that say what runs
    (`key=value`, `+key=...`, `~key`), without Hydra's own (`hydra...`), without `resume` and
    `ckpt_path`, and without `stack.*` (how a sweep's runs train, together or alone, not what
    they are: a stacked sweep resumes with or without stacking), in a fixed order. Read by Hydra's
    override grammar, as everything that asks what a command varies."""
    candidates = [
        arg for arg in argv if not arg.startswith("-") and ("=" in arg or arg.startswith("~"))
    ]  # not a flag (-m, --config-name=...) nor a flag's value
    return sorted(
        override.input_line
        for override in OverridesParser.create().parse_overrides(candidates)
        if override.key_or_group not in ("resume", "ckpt_path")
        and not override.key_or_group.startswith(("hydra.", "hydra/", "stack."))
    )


def sweep_record(path: Path, attempts: int = 50) -> DictConfig:
    """A sweep's `multirun.yaml`. Hydra rewrites it, in place, in every command that continues
    the sweep: read while another command resuming it writes it, it is cut short, and is read
    again a moment later."""
    for _ in range(attempts - 1):
        try:
            record = OmegaConf.load(path)
            if OmegaConf.select(record, "hydra.overrides.task") is not None:
                return record
        except Exception:  # a file cut short fails to parse in many ways
            pass
        time.sleep(0.1)
    return OmegaConf.load(path)


def recorded_overrides(folder: Path) -> list[str] | None:
    """The task overrides that started the run or sweep in `folder` (from Hydra's
    `.hydra/overrides.yaml` or `multirun.yaml`), or None when it has no such record."""
    if (folder / "multirun.yaml").exists():
        recorded = sweep_record(folder / "multirun.yaml").hydra.overrides.task
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


def run_folder(
    parent: Path, overrides: Sequence[str], resume: bool, ckpt_path: str | None = None
) -> tuple[Path, bool]:
    """The folder of a command's run or sweep, and whether the command continues it: the run
    folder that holds `ckpt_path`; with `resume`, the newest folder in `parent` that the same
    command started (same task `overrides`, `resume` and `ckpt_path` aside); else a new one in
    `parent`, named by the time now and claimed here."""
    if (run_dir := checkpoint_run_folder(ckpt_path)) is not None:
        return run_dir, True
    if resume:
        wanted = task_overrides(overrides)
        folders = parent.iterdir() if parent.is_dir() else []
        for folder in sorted(folders, reverse=True):
            if recorded_overrides(folder) == wanted:
                log.info("Resuming %s", folder)
                return folder, True
        log.warning("resume=true, but no run of this command in %s: starting afresh", parent)
    return claim_new_folder(parent), False


def quoted(value: str) -> str:
    """`value` quoted for Hydra's override grammar."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class RunFolder(Callback):
    """Chooses the folder of a command's run (`hydra.run.dir`, in `runs`) or sweep
    (`hydra.sweep.dir`, in `sweeps`) once, as the command starts (`run_folder`, given `resume`
    and `ckpt_path`), unless the command names it; a sweep's jobs get it as a Hydra override, so
    that each job, in whatever process or node, lands in the same folder. A command that
    continues one run records its config and log beside the run's own
    (`.hydra/continued/<time>_<process>/`)."""

    def __init__(self, runs: str, sweeps: str, resume: bool, ckpt_path: str | None) -> None:
        self.runs, self.sweeps = Path(runs), Path(sweeps)
        self.resume, self.ckpt_path = resume, ckpt_path

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        if self._named(config, "hydra.run.dir"):
            return
        overrides = list(config.hydra.overrides.task)
        folder, continued = run_folder(self.runs, overrides, self.resume, self.ckpt_path)
        with read_write(config.hydra):
            config.hydra.run.dir = str(folder)
            if not self._named(config, "hydra.output_subdir"):
                config.hydra.output_subdir = continued_subdir() if continued else ".hydra"

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        if self._named(config, "hydra.sweep.dir"):
            return
        folder, _ = run_folder(self.sweeps, list(config.hydra.overrides.task), self.resume)
        with read_write(config.hydra):
            config.hydra.sweep.dir = str(folder)
            config.hydra.overrides.hydra.append(f"hydra.sweep.dir={quoted(str(folder))}")

    @staticmethod
    def _named(config: DictConfig, key: str) -> bool:
        """Whether the command line set `key` itself."""
        parsed = OverridesParser.create().parse_overrides(list(config.hydra.overrides.hydra))
        return any(override.key_or_group == key for override in parsed)


def claim_new_folder(parent: Path) -> Path:
    """A new folder in `parent`, named by the time now and made here. Making a folder either
    succeeds or fails because it exists, in one step, also on a cluster's shared disk: so no two
    commands get the same folder, however close together they start. A name already taken gets
    `_001`, `_002`... after it, so that the names sort in the order the commands started."""
    parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime(STAMP)
    folder, taken = parent / stamp, 0
    while True:
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            taken += 1
            folder = parent / f"{stamp}_{taken:03d}"


def continued_subdir() -> str:
    """Where a command that continues a run records its config and log in the run's folder."""
    return f".hydra/continued/{datetime.now().strftime(STAMP)}_{os.getpid()}"


def config_subdir(output_dir: str) -> str:
    """Where in its job folder `output_dir` Hydra records the config of a sweep's job: `.hydra`
    for the command that makes that folder (in one step: of two commands that resume one sweep
    at once, one does), else `continued_subdir()`, with the command's log. So a command that
    continues a job leaves the job's own record as it was: what eval.py rebuilds the model from,
    and what `resume=true` finds the run by; and two commands never write the same file.

    The one resolver that makes a folder: a job decides in its own process, possibly on another
    node, and Hydra writes the job's config and opens its log before any hook of the job runs."""
    try:
        (Path(output_dir) / ".hydra").mkdir(parents=True)
    except FileExistsError:
        return continued_subdir()
    return ".hydra"


def log_file(output_dir: str, output_subdir: str | None, job_name: str) -> str:
    """The log file of a command in its run folder: `<job name>.log` there, or in its own config
    folder for a command that continues the run (`continued_subdir`). The log opens at its first
    line (`delay`), once Hydra has made that folder to write the config in."""
    if output_subdir in (None, ".hydra"):
        return str(Path(output_dir) / f"{job_name}.log")
    return str(Path(output_dir) / output_subdir / f"{job_name}.log")


def lock_of(folder: Path) -> FileLock:
    """The lock of the run folder `folder`: held by the command that trains the run."""
    folder.mkdir(parents=True, exist_ok=True)
    return FileLock(folder / ".lock")


def hold(folder: Path) -> AbstractContextManager[bool]:
    """Whether this command holds the run folder `folder` while the block runs: False where
    another command does (two commands that continue one sweep at once, `resume=true`), which
    then trains the run."""
    return unless_taken(lock_of(folder))
