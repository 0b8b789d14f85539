"""The runs of a stack, each kept as its solo run keeps itself: its own callbacks (record,
divergence watch, checkpoints, learning rates, adaptive parameters, early stopping) called with a
view of the stack's Trainer that shows them their own run."""

import dataclasses
import logging
import math
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightning as L
from lightning.pytorch.callbacks import EarlyStopping
from lightning.pytorch.loggers import Logger
from torch import Tensor

from actlab.callbacks.run_record import RunRecord
from actlab.training.stacked import StackedClassifier

log = logging.getLogger(__name__)


@dataclass
class MemberRun:
    """A member of a stack: its run folder and log; `job`, what ends with it (its solo run's
    bookkeeping, which keeps its `record`), closed as it ends (`end`), and `job_ended`, told its
    best value then; its other callbacks, loggers and random state; the view its callbacks see."""

    run_dir: Path
    log_file: str | None = None  # its job's log, which Hydra opened
    record: RunRecord | None = None
    callbacks: list[L.Callback] = field(default_factory=list)
    loggers: list[Logger] = field(default_factory=list)
    random_state: dict[str, Any] | None = None
    job: ExitStack = field(default_factory=ExitStack, repr=False)
    job_ended: Callable[[float], None] | None = field(default=None, repr=False)
    log_handler: logging.Handler | None = field(default=None, repr=False)
    ended: bool = False
    view: "MemberView | None" = field(default=None, repr=False)

    @property
    def all_callbacks(self) -> list[L.Callback]:
        return [self.record, *self.callbacks]

    def log_here(self) -> None:
        """Log what the stack logs into the member's own log too, until it has ended (`end`)."""
        if self.log_file is None:
            return
        handler = logging.FileHandler(self.log_file)
        stack_file = next(
            (h for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)), None
        )
        if stack_file is not None:
            handler.setFormatter(stack_file.formatter)
        logging.getLogger().addHandler(handler)
        self.log_handler = handler

    def end(self, error: BaseException | None = None) -> None:
        """End the run: `error` raised into its bookkeeping, which records it as a solo run's
        (diverged, failed), or ok (None); then `job_ended` is told its best monitored value (NaN
        unless it ended ok)."""
        if self.ended:
            return
        self.ended = True
        if error is None:
            self.job.close()
        else:
            self.job.__exit__(type(error), error, error.__traceback__)
        if self.log_handler is not None:  # after its bookkeeping's last line
            logging.getLogger().removeHandler(self.log_handler)
            self.log_handler.close()
        if self.job_ended is not None:
            self.job_ended(self.record.objective if self.record is not None else math.nan)


class MemberView:
    """The stack's Trainer as member `member`'s callbacks see it: the member's epoch metrics,
    loggers, optimizer, learning-rate schedule, module and checkpoints (a solo run's, that
    `eval.py`, the safe loader and a solo resume read); everything else the stack's."""

    def __init__(
        self, trainer: L.Trainer, stack: StackedClassifier, member: int, run: MemberRun
    ) -> None:
        self._trainer = trainer
        self._stack = stack
        self._member = member
        self._run = run
        self.should_stop = False  # early stopping's word, for this member

    def __getattr__(self, name: str) -> Any:
        return getattr(self._trainer, name)

    @property
    def default_root_dir(self) -> str:
        return str(self._run.run_dir)

    @property
    def callback_metrics(self) -> dict[str, Tensor]:
        return self._stack.metrics[self._member]

    @property
    def loggers(self) -> list[Logger]:
        return self._run.loggers

    @property
    def logger(self) -> Logger | None:
        return self._run.loggers[0] if self._run.loggers else None

    @property
    def lightning_module(self) -> L.LightningModule:
        return self._stack.members[self._member]

    @property
    def optimizers(self) -> list:
        return [self._trainer.optimizers[0].optimizers[self._member]]

    @property
    def lr_scheduler_configs(self) -> list:
        return [
            dataclasses.replace(config, scheduler=config.scheduler.schedulers[self._member])
            for config in self._trainer.lr_scheduler_configs
        ]

    @property
    def early_stopping_callbacks(self) -> list[EarlyStopping]:
        return [c for c in self._run.callbacks if isinstance(c, EarlyStopping)]

    def save_checkpoint(
        self, filepath: str | Path, weights_only: bool = False, storage_options: Any = None
    ) -> None:
        """Save the member as its solo run would be saved at this point: the stack's checkpoint,
        which the stack's CheckpointIO cuts to this member's part (`StackCheckpointIO`), for
        `filepath` is in its run folder."""
        self._trainer.save_checkpoint(filepath, weights_only, storage_options)


class Members(L.Callback):
    """Calls each member's own callbacks with its `MemberView`, and takes a member out of the
    stack when it diverged, failed or stopped early (recorded as its solo run records it); the
    other members go on."""

    def __init__(self, runs: list[MemberRun]) -> None:
        self.runs = runs

    def _each(
        self,
        hook: str,
        trainer: L.Trainer,
        stack: StackedClassifier,
        *args: Any,
        members: list[int] | None = None,
    ) -> None:
        """Call `hook` of every callback of each of `members` (by default those still training,
        or while testing those tested)."""
        if members is None:
            members = stack.tested_members if trainer.testing else stack.training_members
        for k in list(members):
            self._call(k, stack, lambda run, k=k: self._hook(run, k, hook, stack, *args))

    @staticmethod
    def _hook(run: MemberRun, k: int, hook: str, stack: StackedClassifier, *args: Any) -> None:
        for callback in run.all_callbacks:
            getattr(callback, hook)(run.view, stack.members[k], *args)

    def _call(self, k: int, stack: StackedClassifier, work: Callable[[MemberRun], None]) -> None:
        """Do `work` for member `k`; a divergence or an error there takes it out of the stack."""
        run = self.runs[k]
        try:
            work(run)
        except Exception as error:
            self.leave(stack, k, error)
        else:
            if run.view.should_stop and k in stack.training_members:
                stack.leave(k, tested=True)  # stopped early: tested, as its solo run

    def leave(self, stack: StackedClassifier, k: int, error: Exception) -> None:
        """Member `k` ended with `error` (it diverged, or failed): out of the stack, its callbacks
        told as a solo run's are of the exception that ended it, and the error raised into its
        bookkeeping, which records it as a solo run's; the others go on."""
        run = self.runs[k]
        stack.leave(k)
        for callback in run.all_callbacks:
            callback.on_exception(run.view, stack.members[k], error)
        run.end(error)

    def _failures(self, stack: StackedClassifier) -> None:
        """End the members whose own step raised (the stack took them out)."""
        for k, error in list(stack.failures.items()):
            del stack.failures[k]
            self.leave(stack, k, error)

    def setup(self, trainer: L.Trainer, pl_module: L.LightningModule, stage: str) -> None:
        for k, run in enumerate(self.runs):
            run.view = run.view or MemberView(trainer, pl_module, k, run)
        self._each("setup", trainer, pl_module, stage)

    def on_fit_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._each("on_fit_start", trainer, pl_module)

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._each("on_train_start", trainer, pl_module)

    def on_train_epoch_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._each("on_train_epoch_start", trainer, pl_module)

    def on_train_batch_start(
        self, trainer: L.Trainer, pl_module: L.LightningModule, batch: Any, batch_idx: int
    ) -> None:
        self._each("on_train_batch_start", trainer, pl_module, batch, batch_idx)

    def on_train_batch_end(
        self,
        trainer: L.Trainer,
        pl_module: L.LightningModule,
        outputs: dict[str, Tensor] | None,
        batch: Any,
        batch_idx: int,
    ) -> None:
        self._failures(pl_module)
        if outputs is None:  # no member trains any more
            trainer.should_stop = True
            return
        for k in list(pl_module.training_members):

            def batch_end(run: MemberRun, k: int = k) -> None:
                for callback in run.all_callbacks:
                    callback.on_train_batch_end(
                        run.view,
                        pl_module.members[k],
                        {"loss": outputs["losses"][k]},
                        batch,
                        batch_idx,
                    )

            self._call(k, pl_module, batch_end)
        if not pl_module.training_members:
            trainer.should_stop = True

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._each("on_train_epoch_end", trainer, pl_module)

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if not trainer.sanity_checking:
            self._each("on_validation_end", trainer, pl_module)

    # Those that stopped early too (they are tested): their solo runs' training ended there.
    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._each("on_train_end", trainer, pl_module, members=pl_module.tested_members)

    def on_fit_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._each("on_fit_end", trainer, pl_module, members=pl_module.tested_members)

    def on_test_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._each("on_test_start", trainer, pl_module)

    def on_test_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._each("on_test_end", trainer, pl_module)

    def on_exception(
        self, trainer: L.Trainer, pl_module: L.LightningModule, exception: BaseException
    ) -> None:
        for k in list(pl_module.training_members):
            run = self.runs[k]
            for callback in run.all_callbacks:
                callback.on_exception(run.view, pl_module.members[k], exception)

    def state_dict(self) -> dict[str, Any]:
        """Each member's callbacks' states, as its solo run's checkpoint keeps them."""
        return {
            "members": [
                {c.state_key: state for c in run.all_callbacks if (state := c.state_dict())}
                for run in self.runs
            ]
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Each member's callbacks' states, from the checkpoint the stack resumes from (made of
        the members' own: `StackCheckpointIO`)."""
        for run, states in zip(self.runs, state_dict["members"], strict=True):
            for callback in run.all_callbacks:
                if callback.state_key in states:
                    callback.load_state_dict(states[callback.state_key])
