"""Helpers the tests share: configs, tiny models, the command line."""

import contextlib
import copy
import functools
import io
import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import lightning as L
import pytest
from hydra import compose, initialize_config_dir
from hydra.utils import get_object, instantiate
from omegaconf import DictConfig, OmegaConf

from actlab.config import CONFIG_DIR
from actlab.data.files import FileDataModule

REPO = CONFIG_DIR.parent

FAST = [
    "trainer.accelerator=cpu",
    "trainer.max_epochs=2",
    "callbacks.progress_bar=null",
    "callbacks.model_summary=null",
]
"""Overrides that keep a run short and quiet in tests."""


def quiet_trainer(**options: object) -> L.Trainer:
    """A CPU Trainer without logger, checkpoints, progress bar or summary, unless `options` say
    otherwise."""
    quiet = {
        "accelerator": "cpu",
        "logger": False,
        "enable_checkpointing": False,
        "enable_progress_bar": False,
        "enable_model_summary": False,
    }
    return L.Trainer(**(quiet | options))


TINY_MODEL = {
    "alexnet": ["model.width=0.0625"],
    "convnet": ["model.channels=[4,8,8]", "model.hidden=16"],
    "densenet": ["model.width=0.125", "model.blocks=[1,2,1,1]"],
    "googlenet": ["model.width=0.0625"],
    "lenet": ["model.channels=[3,4]", "model.hidden=[16,8]"],
    "mlp": ["model.hidden=[16,8]"],
    "resnet": ["model.width=0.0625"],
    "resnet50": ["model.width=0.0625"],
    "vgg": ["model.width=0.0625", "model.depth=11"],
    "mobilenet": ["model.width=0.0625"],
    "mobilenetv2": ["model.width=0.0625"],
    "senet": ["model.width=0.0625"],
    "keras_cnn": ["model.channels=[4,8]", "model.hidden=16"],
}
"""Overrides that make each model of the group tiny (one per option: tested)."""


def options(group: str) -> list[str]:
    """Every option of the config group `group`: its files in conf/<group>/."""
    return sorted(path.stem for path in (CONFIG_DIR / group).glob("*.yaml"))


ACTIVATIONS = options("activation")
"""Every option of the activation group."""


def option_file(group: str, name: str) -> DictConfig:
    """Option NAME of the config group `group` as its file holds it, not composed: cheap enough to
    choose a test's parameters by, and readable while Hydra is composing another config."""
    return OmegaConf.load(CONFIG_DIR / group / f"{name}.yaml")


def activation_class(name: str) -> type:
    """The class that option NAME of the activation group builds (an alias: its target's), read
    from its file alone (`option_file`)."""
    node = option_file("activation", name)
    if "_target_" not in node:
        return activation_class(node.defaults[0])
    return get_object(node._target_)


DATASETS = options("data")
"""Every option of the data group."""


def tiny_data(dataset: str, data_dir: Path) -> list[str]:
    """Write tiny files of the data option `dataset` in its real format into `data_dir` (where its
    reader reads them: `write_tiny`); the overrides that read them (`data.check_md5=false` where
    the reader checks md5 sums, which made files fail)."""
    node = option_file("data", dataset)
    datamodule_class = get_object(node._target_)
    if not issubclass(datamodule_class, FileDataModule):  # its data comes with a package
        return []
    datamodule_class(data_dir=str(data_dir)).write_tiny()
    return ["data.check_md5=false"] if "check_md5" in node else []


@functools.cache
def _composed(group: str, name: str, overrides: tuple[str, ...]) -> DictConfig:
    with initialize_config_dir(config_dir=str(CONFIG_DIR / group), version_base="1.3"):
        return compose(name, overrides=list(overrides))


def option(group: str, name: str, *overrides: str) -> DictConfig:
    """Option NAME of the config group `group` with `overrides` (the group's own keys), as Hydra
    composes it; composed once per test process, each caller given its own copy."""
    return copy.deepcopy(_composed(group, name, overrides))


def activation_factory(name: str, *overrides: str):
    """The factory that `python train.py activation=NAME` hands to the model."""
    return instantiate(option("activation", name, *overrides))


def run_cli(*args: str, cwd: Path, script: str = "train.py") -> subprocess.CompletedProcess:
    """`python SCRIPT ARGS` (train.py or eval.py) from `cwd`, as a user runs it; returns exit
    status and output."""
    env = {**os.environ, "HYDRA_FULL_ERROR": "0", "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, str(REPO / script), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def run_benchmark(script: str, *args: str, cwd: Path | None = None) -> str:
    """`python benchmarks/SCRIPT ARGS`, which must succeed; what it prints."""
    command = [sys.executable, str(REPO / "benchmarks" / script), *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=True).stdout


class Ended(NamedTuple):
    """How a command ended: its exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def run_in_process(entry: Callable[[], object], *args: str, cwd: Path) -> Ended:
    """`python train.py ARGS` (`entry` its main; eval.py's for eval), run in this process from
    `cwd` and ended as the interpreter ends it: the exit status and what it printed, with the
    traceback of an exception that escapes. Logging is left as it was."""
    stdout, stderr = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "argv", [f"{entry.__module__}.py", *args])
        patch.chdir(cwd)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                entry()
                status = 0
            except SystemExit as exit:  # a message to print, or a status
                if isinstance(exit.code, str):
                    print(exit.code, file=sys.stderr)
                status = 1 if isinstance(exit.code, str) else int(exit.code or 0)
            except Exception:
                traceback.print_exc()
                status = 1
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.handlers[:], root.level = handlers, level
    return Ended(status, stdout.getvalue(), stderr.getvalue())
