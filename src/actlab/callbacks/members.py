"""The callbacks of a stack's members (`actlab.run.stack`): each member's own, given to the
stack's Trainer as that member's (`for_member`), which Lightning calls as it calls any callback;
and the members' learning rates (`MemberRates`)."""

import functools
from collections.abc import Callable
from typing import Any

import lightning as L
from lightning.pytorch.callbacks import EarlyStopping, LearningRateMonitor, ModelCheckpoint

from actlab.training.classifier import loggers_write
from actlab.training.stacked import StackedClassifier, member_key

ENDS = ("on_train_end", "on_fit_end")
"""The hooks that end a member's training: also called for those that stopped early."""


def gated(hook: str) -> Callable[..., None]:
    """Lightning's callback hook `hook`, called as the member's (`OfMember._as_member`)."""

    def call(self: "OfMember", trainer: L.Trainer, pl_module: Any, *args: Any, **kw: Any) -> None:
        self._as_member(hook, trainer, pl_module, *args, **kw)

    call.__name__ = call.__qualname__ = hook
    return call


class OfMember:
    """A run's callback as member `member`'s of a stack (`for_member`): Lightning calls it with
    the stack's Trainer; it gets the member's own module, is called while the member trains (or,
    in `ENDS` and while testing, while it is tested), and its key in the stack's checkpoint is
    the member's. What it raises (a divergence, an error) takes the member out of the stack
    (`StackedClassifier.leave`), as a stop it asks for (early stopping) does, tested: the other
    members go on. Lightning's other hooks reach it as they reach any callback: none of the
    callbacks a member may keep (`actlab.sweep.stacking.MEMBER_CALLBACKS`) has one."""

    member: int

    @property
    def state_key(self) -> str:
        return member_key(self.member, super().state_key)  # type: ignore[misc]

    def _as_member(
        self, hook: str, trainer: L.Trainer, stack: StackedClassifier, *args: Any, **kw: Any
    ) -> None:
        k = self.member
        tested = trainer.testing or hook in ENDS
        if k not in (stack.tested_members if tested else stack.training_members):
            return
        stopping = trainer.should_stop
        try:
            getattr(super(), hook)(trainer, stack.members[k], *args, **kw)
        except Exception as error:
            stack.leave(k, error=error)
        else:
            if trainer.should_stop and not stopping:  # its own stop
                stack.leave(k, tested=True)
        trainer.should_stop = stopping or not stack.training_members  # the stack's, with its last

    setup = gated("setup")
    on_fit_start = gated("on_fit_start")
    on_train_start = gated("on_train_start")
    on_train_epoch_start = gated("on_train_epoch_start")
    on_train_batch_start = gated("on_train_batch_start")
    on_train_batch_end = gated("on_train_batch_end")
    on_train_epoch_end = gated("on_train_epoch_end")
    on_validation_end = gated("on_validation_end")
    on_train_end = gated("on_train_end")
    on_fit_end = gated("on_fit_end")
    on_test_start = gated("on_test_start")
    on_test_end = gated("on_test_end")
    on_exception = gated("on_exception")


@functools.cache
def member_class(cls: type[L.Callback]) -> type[L.Callback]:
    """`cls` as a member's (`OfMember`), under its own name (a checkpoint's key names it)."""
    return type(cls.__name__, (OfMember, cls), {"__qualname__": cls.__qualname__})


def for_member(callback: L.Callback, member: int) -> L.Callback:
    """`callback` made member `member`'s (`OfMember`): what it monitors, and what it reads and
    logs of the run (`prefix`: `RunRecord`, `DivergenceWatch`, `AdaptiveParams`), is the
    member's (`member_key`), as the stack logs it."""
    callback.__class__ = member_class(type(callback))
    callback.member = member  # type: ignore[attr-defined]
    if isinstance(callback, ModelCheckpoint | EarlyStopping) and callback.monitor:
        callback.monitor = member_key(member, callback.monitor)
    if hasattr(callback, "prefix"):
        callback.prefix = member_key(member, "")
    return callback


class MemberRates(L.Callback):
    """Each member's learning rates, logged as its own `LearningRateMonitor` (`monitors[k]`, None
    for a member without one) logs a solo run's: `lr-<optimizer>` and its parameter groups'
    names, at each epoch's start or at the logging steps (`logging_interval`; actlab's configs
    always give one, and None is taken as each epoch's start). Lightning's monitor
    reads the Trainer's optimizers, and a stack's Trainer has one for all its members:
    `LearningRateMonitor` has no public way to watch one of them, so their names are made here as
    it makes them (its `_add_suffix`)."""

    def __init__(self, monitors: list[LearningRateMonitor | None]) -> None:
        self.monitors = monitors

    def log_rates(self, trainer: L.Trainer, stack: StackedClassifier, interval: str) -> None:
        """Log the rates of the training members whose monitors log at `interval`."""
        rates = {}
        for k in stack.training_members:
            monitor = self.monitors[k]
            if monitor is None or (monitor.logging_interval or "epoch") != interval:
                continue
            optimizer = trainer.optimizers[0].optimizers[k]
            groups = optimizer.param_groups
            for i, group in enumerate(groups, start=1):
                name = group.get("name", f"pg{i}") if len(groups) > 1 else group.get("name")
                suffix = f"/{name}" if name else ""
                rates[member_key(k, f"lr-{type(optimizer).__name__}{suffix}")] = group["lr"]
        for logger in trainer.loggers if rates else []:
            logger.log_metrics(rates, step=trainer.global_step)

    def on_train_epoch_start(self, trainer: L.Trainer, pl_module: Any) -> None:
        self.log_rates(trainer, pl_module, interval="epoch")

    def on_train_batch_start(self, trainer: L.Trainer, pl_module: Any, *args: Any) -> None:
        if loggers_write(pl_module):
            self.log_rates(trainer, pl_module, interval="step")
