"""Stacked sweeps: which of a sweep's jobs train together, K in one model (`stack.size`). The
stacking sweeper (`hydra/sweeper=stacking`: `hydra_plugins.actlab_stacking_sweeper`) launches each
stack as one job, which `actlab.run.stack` trains."""

import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from actlab.utils.errors import ConfigError

log = logging.getLogger(__name__)

STACKABLE = (
    "seed",
    "activation",
    "init",
    "optimizer.lr",
    "optimizer.weight_decay",
    "activation_lr_scale",
    "loss.l1",
    "loss.l2",
    "loss.label_smoothing",
    "model.dropout",
)
"""What the members of one stack may differ in: each member is a model, optimizer and schedule of
its own (`actlab.training.stacked`), fed the same data by one Trainer."""

FUSE = ("auto", True, False)
"""`stack.fuse`: alike members as one vmapped call on a GPU only (auto), always, never (each
member then draws its own random numbers, as its solo run)."""

STACKING_SWEEPER = "hydra_plugins.actlab_stacking_sweeper.sweeper.StackingSweeper"
"""The `_target_` of the sweeper that stacks (conf/hydra/sweeper/stacking.yaml)."""

MEMBER_CALLBACKS = (
    "actlab.callbacks.best_checkpoint.BestCheckpoint",
    "actlab.callbacks.interrupt_checkpoint.InterruptCheckpoint",
    "actlab.callbacks.adaptive_params.AdaptiveParams",
    "actlab.callbacks.progress_bar.ProgressBar",
    "lightning.pytorch.callbacks.LearningRateMonitor",
    "lightning.pytorch.callbacks.EarlyStopping",
    "lightning.pytorch.callbacks.ModelCheckpoint",
    "lightning.pytorch.callbacks.RichModelSummary",
)
"""The callbacks a member of a stack keeps as its solo run would (`actlab.callbacks.members`);
a run with any other trains alone."""


def check_stack(stack: DictConfig) -> None:
    """Raise `ConfigError` for a `stack` setting that cannot be: a size that is not a whole number
    of at least 1, a `fuse` not in `FUSE`, or a key in `over` that cannot vary within a stack."""
    size = stack.size
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ConfigError(
            f"stack.size={size!r} is not a whole number of at least 1: the number of a sweep's "
            "jobs trained together in one model (1: each alone)"
        )
    if stack.fuse not in FUSE:
        raise ConfigError(
            f"stack.fuse={stack.fuse!r} is not one of auto (on a GPU), true, false: whether alike "
            "members run as one vmapped call"
        )
    for key in stack.over:
        if key not in STACKABLE:
            raise ConfigError(
                f"stack.over: {key!r} cannot vary within a stack; the keys that can are "
                + ", ".join(STACKABLE)
            )


def check_stacking(stack: DictConfig, hydra: DictConfig, multirun: bool) -> None:
    """Raise `ConfigError` for a bad `stack` setting (`check_stack`), or for `stack.size` above 1
    in a sweep whose sweeper (of Hydra's config `hydra`) does not stack (Hydra's basic one,
    Optuna's)."""
    check_stack(stack)
    if stack.size > 1 and multirun and hydra.sweeper.get("_target_") != STACKING_SWEEPER:
        sweeper = hydra.runtime.choices.get("hydra/sweeper", hydra.sweeper.get("_target_"))
        raise ConfigError(
            f"stack.size={stack.size} trains a grid sweep's jobs in stacks, which the stacking "
            f"sweeper does: add hydra/sweeper=stacking (this sweep's sweeper is {sweeper}), or "
            "give stack.size=1"
        )


def why_alone(cfg: DictConfig) -> str | None:
    """Why the run of `cfg` cannot be a member of a stack (None: it can)."""
    if cfg.compile:
        return "compile is on"
    trainer = cfg.trainer
    if trainer.get("num_nodes", 1) != 1 or trainer.get("strategy") not in (None, "auto"):
        return f"it trains with trainer.strategy={trainer.get('strategy')}"
    devices = trainer.get("devices")
    listed = isinstance(devices, Sequence) and not isinstance(devices, str)
    if (
        devices in (-1, "-1")
        or (listed and len(devices) > 1)
        or (isinstance(devices, int) and devices > 1)
    ):
        return f"it trains on several devices (trainer.devices={devices})"
    scheduler = cfg.get("scheduler") or {}
    if scheduler.get("monitor"):
        return f"its scheduler watches a metric (scheduler.monitor={scheduler.monitor})"
    for name, entry in (cfg.get("callbacks") or {}).items():
        if entry is not None and entry.get("_target_") not in MEMBER_CALLBACKS:
            return f"its callback callbacks.{name} ({entry.get('_target_')}) is not kept per member"
    return None


def flat(node: Any, prefix: str = "") -> dict[str, Any]:
    """The leaves of a config container, by dotted key."""
    if isinstance(node, dict):
        return {
            k: v for key, value in node.items() for k, v in flat(value, f"{prefix}{key}.").items()
        }
    return {prefix.rstrip("."): node}


def shared_part(cfg: DictConfig, over: Sequence[str]) -> dict[str, Any]:
    """What the members of a stack must share of the run of `cfg`: its config but Hydra's and
    the keys in `over`."""
    leaves = flat(OmegaConf.to_container(cfg, resolve=False))
    return {
        key: value
        for key, value in leaves.items()
        if not key.startswith("hydra.")
        and not any(key == k or key.startswith(f"{k}.") for k in over)
    }


def plan_stacks(configs: Sequence[DictConfig], size: int, over: Sequence[str]) -> list[list[int]]:
    """The stacks of the jobs of `configs` (their indices, at most `size` each, in job order):
    jobs share a stack where their configs differ only in `over`; a job that cannot be stacked
    (`why_alone`) is a stack of one. Logs one line for each job or group kept apart, and why."""
    stacks: list[list[int]] = []
    groups: dict[str, list[int]] = {}  # the shared part, as JSON -> the jobs, in order
    shared: dict[str, dict[str, Any]] = {}
    for index, cfg in enumerate(configs):
        reason = why_alone(cfg)
        if reason is not None:
            log.info("Stacking: job %d trains alone: %s", index, reason)
            stacks.append([index])
            continue
        part = shared_part(cfg, over)
        key = json.dumps(part, sort_keys=True, default=str)
        if key not in groups and groups:
            first, first_part = next(iter(shared.items()))
            differ = sorted(
                k for k in part.keys() | first_part.keys() if part.get(k) != first_part.get(k)
            )
            log.info(
                "Stacking: job %d and job %s stack apart: they differ in %s (what may vary in a "
                "stack: stack.over=%s)",
                index, first, ", ".join(differ[:3]) + (", ..." if len(differ) > 3 else ""),
                list(over),
            )  # fmt: skip
        groups.setdefault(key, []).append(index)
        shared.setdefault(str(index), part)
    for jobs in groups.values():
        stacks += [jobs[start : start + size] for start in range(0, len(jobs), size)]
    return sorted(stacks)


class StackSetting(Callback):
    """Checks a sweep's `stack` setting as the sweep starts (`check_stacking`): a bad one stops it
    before any job trains, by name. (A Hydra callback stops a command only by `SystemExit`: any
    other exception it turns into a warning.)"""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        try:
            check_stacking(config.stack, config.hydra, multirun=True)
        except ConfigError as error:
            sys.exit(f"Error: {error}")


COMPOSED: dict[tuple[str, ...], DictConfig] = {}
"""The configs of a stacked sweep's members as its sweeper composed them, by their overrides:
a stack job that runs in the sweeper's process (the basic launcher) takes them from here rather
than composing each again (a tenth of a second or more each)."""
