"""Checks of a run's config before anything is built or loaded: a bad value fails at once, with
a message that names the key, the value and what is allowed."""

from dataclasses import dataclass
from numbers import Real
from typing import Any

import torch
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from actlab.sweep.stacking import check_stacking
from actlab.utils.errors import ConfigError


@dataclass(frozen=True)
class Range:
    """Numbers from `low` to `high` (either None: unbounded), each bound allowed or not;
    integers only when `integer`."""

    low: float | None = None
    high: float | None = None
    low_allowed: bool = True
    high_allowed: bool = True
    integer: bool = False

    def allows(self, value: Any) -> bool:
        """Whether `value` is a number (not a bool) inside the range."""
        kind = int if self.integer else Real
        if isinstance(value, bool) or not isinstance(value, kind):
            return False
        above = self.low is None or value > self.low or (self.low_allowed and value == self.low)
        below = self.high is None or value < self.high or (self.high_allowed and value == self.high)
        return above and below

    def __str__(self) -> str:
        kind = "an integer" if self.integer else "a number"
        low, high = (bound if bound is None else f"{bound:.10g}" for bound in (self.low, self.high))
        if low is not None and high is not None:
            opening, closing = "[" if self.low_allowed else "(", "]" if self.high_allowed else ")"
            return f"{kind} in {opening}{low}, {high}{closing}"
        if low is not None:
            return f"{kind} {'>=' if self.low_allowed else '>'} {low}"
        if high is not None:
            return f"{kind} {'<=' if self.high_allowed else '<'} {high}"
        return kind


FRACTION = Range(0, 1, low_allowed=False, high_allowed=False)
RATE = Range(0, 1, high_allowed=False)
NON_NEGATIVE = Range(low=0)
COUNT = Range(low=1, integer=True)

RANGES: dict[str, Range] = {
    "optimizer.lr": Range(low=0, low_allowed=False),
    "optimizer.weight_decay": NON_NEGATIVE,
    "optimizer.momentum": Range(0, 1),
    "data.batch_size": COUNT,
    "data.eval_batch_size": COUNT,
    "data.val_fraction": FRACTION,
    "data.test_fraction": FRACTION,
    "trainer.max_epochs": Range(low=-1, integer=True),
    "model.dropout": RATE,
    "model.hidden_dropout": RATE,
    "loss.label_smoothing": Range(0, 1),
    "loss.l1": NON_NEGATIVE,
    "loss.l2": NON_NEGATIVE,
    "activation_lr_scale": NON_NEGATIVE,
    "seed": Range(0, 2**32 - 1, integer=True),
}
"""What each key allows, where the chosen options have that key (-1 epochs: no limit)."""

PLATEAU = "torch.optim.lr_scheduler.ReduceLROnPlateau"

COMPILE_MODES = (
    False,
    True,
    "default",
    "reduce-overhead",
    "max-autotune",
    "max-autotune-no-cudagraphs",
)
"""What `compile` takes: off, on (torch.compile's default mode), or a mode of torch.compile."""

TEST_WEIGHTS = ("best", "last")
"""What `test_weights` takes: the monitored metric's best epoch, or the final weights."""


def validates(cfg: DictConfig) -> bool:
    """Whether the run evaluates anything at its epochs' ends (val/* metrics)."""
    return (
        OmegaConf.select(cfg, "data.validation", default="split") != "none"
        and OmegaConf.select(cfg, "trainer.limit_val_batches") != 0
    )


def check_protocol(cfg: DictConfig) -> None:
    """Raise `ConfigError` for a protocol that cannot run: `test_weights` not one of
    `TEST_WEIGHTS`, or a validation metric to monitor (or a plateau schedule) without validation."""
    if OmegaConf.select(cfg, "test_weights") not in TEST_WEIGHTS:
        raise ConfigError(
            f"test_weights={cfg.test_weights!r} is not allowed: it must be one of "
            + ", ".join(TEST_WEIGHTS)
        )
    if validates(cfg):
        return
    off = (
        "data.validation=none"
        if OmegaConf.select(cfg, "data.validation") == "none"
        else "trainer.limit_val_batches=0"
    )
    scheduler = OmegaConf.select(cfg, "scheduler.scheduler._target_", default=None)
    if scheduler == PLATEAU:
        raise ConfigError(
            f"scheduler=plateau steps on {cfg.scheduler.monitor}, but {off} turns validation "
            "off; validate, or choose a scheduler that needs no validation metric"
        )
    if str(cfg.monitor.metric).startswith("val/"):
        raise ConfigError(
            f"monitor.metric={cfg.monitor.metric} is a validation metric, but {off} turns "
            "validation off; monitor a training one (monitor.metric=train/loss monitor.mode=min) "
            "or validate (data.validation=split or test)"
        )


def check_config(cfg: DictConfig) -> None:
    """Raise `ConfigError` for the first value of `cfg` outside its `RANGES`, for a `compile`
    that is not one of `COMPILE_MODES`, or for a protocol that cannot run (`check_protocol`)."""
    for key, allowed in RANGES.items():
        node = OmegaConf.select(cfg, key, default=None)
        if node is not None and not allowed.allows(node):
            raise ConfigError(f"{key}={node!r} is not allowed: it must be {allowed}")
    if OmegaConf.select(cfg, "compile") not in COMPILE_MODES:
        raise ConfigError(
            f"compile={cfg.compile!r} is not allowed: it must be one of "
            + ", ".join(str(mode).lower() for mode in COMPILE_MODES)
        )
    check_protocol(cfg)
    check_stacking_of(cfg)


def check_stacking_of(cfg: DictConfig) -> None:
    """Raise `ConfigError` for a bad `stack` setting of the run of `cfg` (`check_stacking`)."""
    hydra_cfg = HydraConfig.get()
    check_stacking(cfg.stack, hydra_cfg, multirun=hydra_cfg.mode == RunMode.MULTIRUN)


def check_accelerator(cfg: DictConfig) -> None:
    """Raise `ConfigError` when the run asks for a GPU (trainer.accelerator gpu or cuda) and this
    machine has none, naming the option that asked for it and how to run on the CPU."""
    accelerator = OmegaConf.select(cfg, "trainer.accelerator")
    if accelerator not in ("gpu", "cuda") or torch.cuda.is_available():
        return
    if accelerator == "gpu" and torch.backends.mps.is_available():
        return  # Lightning's "gpu" is Apple's GPU there
    choices = HydraConfig.get().runtime.choices
    chosen_by = f"trainer={choices.get('trainer')}"
    if choices.get("experiment"):
        chosen_by = f"experiment={choices['experiment']} with {chosen_by}"
    raise ConfigError(
        f"{chosen_by} trains with trainer.accelerator={accelerator}, which needs a CUDA GPU, and "
        "this machine has none. To run it on the CPU, add trainer.accelerator=cpu (and "
        "compile=false, which spares torch.compile's start-up)."
    )
