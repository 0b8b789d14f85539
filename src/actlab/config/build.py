"""Objects from a config: each through Hydra's `_target_` instantiation, with the config's own
mistakes told as such.

A config can name a `_target_` that does not import, give a class arguments it does not take or
leave out one it needs, give a value the class refuses, or need a package that is not installed.
Each is a `ConfigError` naming the config key, the target and what is wrong, before anything
trains; any other error in a constructor is a bug and stays as it is.
"""

import inspect
import logging
from typing import Any

import lightning as L
from hydra.core.hydra_config import HydraConfig
from hydra.errors import InstantiationException
from hydra.types import RunMode
from hydra.utils import get_object, instantiate
from lightning.fabric.plugins.environments import (
    LSFEnvironment,
    SLURMEnvironment,
    TorchElasticEnvironment,
)
from lightning.fabric.utilities.exceptions import MisconfigurationException
from lightning.pytorch.callbacks import LearningRateMonitor
from lightning.pytorch.plugins.io import CheckpointIO
from omegaconf import DictConfig, OmegaConf
from torch import nn

from actlab.activations.registry import adopt
from actlab.callbacks.divergence import DivergenceWatch
from actlab.callbacks.fast_path import FastPath
from actlab.callbacks.logging_interval import LoggingInterval
from actlab.callbacks.process_group import LeaveProcessGroup
from actlab.callbacks.random_state import RandomState
from actlab.data.in_memory import InMemoryDataModule
from actlab.models.shapes import materialize
from actlab.sweep.slurm import slurm_plugins
from actlab.training.classifier import Classifier
from actlab.utils.errors import ConfigError, UserError

log = logging.getLogger(__name__)

EXTRAS = {
    "lightning.pytorch.loggers.MLFlowLogger": "loggers",
    "lightning.pytorch.loggers.WandbLogger": "loggers",
}
"""The extra of pyproject.toml that installs what a `_target_` of an option needs."""


def build(cfg: DictConfig, key: str, **kwargs: Any) -> Any:
    """The object that `cfg.<key>` describes, given `kwargs` too. Raises `ConfigError` for the
    config's mistakes (see the module's docstring)."""
    node = OmegaConf.select(cfg, key)
    try:
        built = instantiate(node, **kwargs)
    except InstantiationException as error:
        if isinstance(error.__cause__, UserError):  # it says what is wrong
            raise error.__cause__ from None
        mistake = config_mistake(node, key, error, kwargs)
        if mistake is None:
            raise
        raise mistake from error
    if isinstance(node, DictConfig) and node.get("_partial_"):
        check_arguments(node, key, kwargs)  # it is called later, in training: checked now
    return built


def target_of(node: DictConfig, key: str) -> Any:
    """What the `_target_` of the config `node` at `key` names (a class, a function), not
    called. Raises `ConfigError` when it cannot be imported."""
    target = node._target_
    try:
        return get_object(target)
    except ImportError as error:
        reason = " ".join(str(error).split())
        raise ConfigError(f"{key}._target_={target} cannot be imported: {reason}") from None


def config_mistake(
    node: DictConfig, key: str, error: InstantiationException, kwargs: dict[str, Any]
) -> ConfigError | None:
    """What the config `node` at `key` got wrong, that made instantiating it raise `error`; None
    when the error is not the config's."""
    cause = error.__cause__
    target = node.get("_target_") if isinstance(node, DictConfig) else None
    if target is None:
        return None
    if isinstance(cause, ImportError) and str(error).startswith("Error locating target"):
        try:
            target_of(node, key)
        except ConfigError as mistake:
            return mistake
    if isinstance(cause, ModuleNotFoundError):
        extra = EXTRAS.get(target)
        how = f"; pip install -e '.[{extra}]' installs it" if extra else ""
        return ConfigError(f"{key}: {target} needs a package that is not installed: {cause}{how}")
    if isinstance(cause, ValueError | MisconfigurationException):
        return ConfigError(f"{key}: {target} refused a value: {cause}")
    if isinstance(cause, TypeError):
        try:
            check_arguments(node, key, kwargs)
        except ConfigError as mismatch:
            return mismatch
    return None


def check_arguments(node: DictConfig, key: str, kwargs: dict[str, Any]) -> None:
    """Raise `ConfigError` when the config `node` at `key`, with `kwargs`, gives its `_target_`
    an argument it does not take, or (unless `_partial_`) leaves out one it needs."""
    target = node._target_
    try:
        signature = inspect.signature(get_object(target))
    except ValueError:  # a builtin without a signature to check against
        return
    bind = signature.bind_partial if node.get("_partial_") else signature.bind
    arguments = {name: value for name, value in node.items() if not name.startswith("_")}
    given = {name: value for name, value in kwargs.items() if not name.startswith("_")}
    try:
        bind(**arguments, **given)
    except TypeError as mismatch:
        raise ConfigError(
            f"{key}: {target} cannot be built from the config: {mismatch} "
            f"(it takes {', '.join(signature.parameters)})"
        ) from None


def build_all(cfg: DictConfig, key: str, **kwargs: Any) -> list:
    """Every object of a group that holds several (callbacks, loggers), each given those of
    `kwargs` that its config has a key for; a null entry is left out."""
    group = OmegaConf.select(cfg, key) or {}
    return [
        build(cfg, f"{key}.{name}", **{arg: value for arg, value in kwargs.items() if arg in entry})
        for name, entry in group.items()
        if entry is not None
    ]


LAUNCHERS = (SLURMEnvironment, TorchElasticEnvironment, LSFEnvironment)
"""Cluster environments that start every process of a DDP job themselves (srun, torchrun, jsrun)
and that Lightning detects (Kubeflow's it does not)."""


def strategy_here(cfg: DictConfig) -> dict[str, str]:
    """The trainer's strategy where the configured one cannot start its processes here: Lightning's
    DDP starts its other processes by running the command line again, and in a local multirun
    (-m) that command is the whole sweep, so there the job's processes are spawned instead
    (`ddp_spawn`). A launcher that starts every process itself (SLURM through
    hydra/launcher=slurm, torchrun) needs neither. Empty where the configured one runs."""
    if (
        cfg.trainer.get("strategy") == "ddp"
        and HydraConfig.get().mode == RunMode.MULTIRUN
        and not any(environment.detect() for environment in LAUNCHERS)
    ):
        log.info("DDP in a local sweep: the job's processes are spawned (ddp_spawn)")
        return {"strategy": "ddp_spawn"}
    return {}


def logged_to(loggers: list, callbacks: list[L.Callback]) -> list[L.Callback]:
    """`callbacks` less Lightning's learning-rate monitor where a run has no `loggers`
    (logger=none): it writes to loggers only, and refuses to train without one."""
    if loggers:
        return callbacks
    return [callback for callback in callbacks if not isinstance(callback, LearningRateMonitor)]


def build_trainer(
    cfg: DictConfig,
    callbacks: list[L.Callback],
    loggers: list,
    checkpoint_io: CheckpointIO | None = None,
    **kwargs: Any,
) -> L.Trainer:
    """The run's Trainer, built once: with the logging interval (`LoggingInterval`) and
    `callbacks` (without a logger, no learning-rate monitor: `logged_to`), `loggers`, the plugins
    of its config (its CheckpointIO `checkpoint_io` where given) and of SLURM, a strategy that
    starts its processes here (`strategy_here`), and `kwargs`."""
    plugins = [*(build(cfg, "trainer.plugins", _convert_="all") or []), *slurm_plugins()]
    if checkpoint_io is not None:
        plugins = [p for p in plugins if not isinstance(p, CheckpointIO)] + [checkpoint_io]
    interval = LoggingInterval(cfg.trainer.get("log_every_n_steps"))
    return build(
        cfg,
        "trainer",
        callbacks=[interval, *logged_to(loggers, callbacks)],
        logger=loggers,
        plugins=plugins,
        **strategy_here(cfg),
        **kwargs,
    )


def build_callbacks(cfg: DictConfig) -> list[L.Callback]:
    """The callbacks every run trains with, whatever its callbacks group holds: the divergence
    watch, the random state in checkpoints, the fast path and, under DDP, leaving the process
    group at exit; then the group's."""
    fast_path = FastPath(cfg.channels_last, cfg.compile)
    always = [DivergenceWatch(), RandomState(), fast_path, LeaveProcessGroup()]
    return [*always, *build_all(cfg, "callbacks")]


def build_model(cfg: DictConfig, input_shape: tuple[int, ...], num_classes: int) -> nn.Module:
    """The model of `cfg` with its activation at every site, for inputs of `input_shape`,
    initialised by its `init`, its lazy modules already sized."""
    activation = build(cfg, "activation")
    adopt(activation())  # a class of the user's own is an activation wherever actlab looks
    model = build(
        cfg, "model", input_shape=input_shape, num_classes=num_classes, activation=activation
    )
    build(cfg, "init")(model, activation())
    materialize(model, input_shape)
    return model


def build_classifier(cfg: DictConfig, datamodule: InMemoryDataModule) -> Classifier:
    """The run's LightningModule: its model for `datamodule`'s data, optimizer, schedule, loss."""
    return Classifier(
        build_model(cfg, datamodule.input_shape, datamodule.num_classes),
        num_classes=datamodule.num_classes,
        optimizer=build(cfg, "optimizer"),
        activation_lr_scale=cfg.activation_lr_scale,
        scheduler=build(cfg, "scheduler", _convert_="object"),
        **cfg.loss,
        # Not with compile: the summary's example would compile a graph of its own.
        input_shape=None if cfg.compile else datamodule.input_shape,
    )
