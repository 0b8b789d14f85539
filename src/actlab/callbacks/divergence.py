"""DivergenceWatch: a run whose training loss becomes NaN or infinite stops at that step, with no
step waiting for the device to say so."""

import math
from typing import Any

import lightning as L
import torch
from torch import Tensor


class Diverged(RuntimeError):
    """The training loss became `loss` (NaN or infinite) at optimizer step `step` of `epoch`;
    `last_finite_loss` is the loss of the step before (None at the first step)."""

    def __init__(self, loss: float, step: int, epoch: int, last_finite_loss: float | None) -> None:
        self.loss = loss
        self.step = step
        self.epoch = epoch
        self.last_finite_loss = last_finite_loss
        before = "none" if last_finite_loss is None else f"{last_finite_loss:.6g}"
        super().__init__(
            f"training loss became {loss} at step {step} (epoch {epoch}); "
            f"the last finite loss was {before}"
        )

    @property
    def details(self) -> dict[str, float | int | None]:
        """What `metrics.json` records of the divergence."""
        return {
            "step": self.step,
            "epoch": self.epoch,
            "loss": self.loss,
            "last_finite_loss": self.last_finite_loss,
        }


class DivergenceWatch(L.Callback):
    """Raises `Diverged` for the first non-finite training loss (the one the optimizer stepped
    on, penalties included), with its step and the last finite loss before it.

    The losses since the last check are kept on the device and read at logging steps and at the
    end of each epoch, never at every step: a read waits for the device. Every run has one (the
    recipe adds it beside the run's record): a diverged run is a result, `diverged`."""

    def __init__(self) -> None:
        self.losses = torch.empty(0)
        self.watched = 0
        self.first_watched_step = 0
        self.last_finite_loss: float | None = None
        self.prefix = ""  # a stack's member's: its loss is `<k>/loss` of the stack's outputs

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.losses = torch.empty(trainer.log_every_n_steps, device=pl_module.device)
        self.watched = 0

    def on_train_batch_start(
        self, trainer: L.Trainer, pl_module: L.LightningModule, batch: Any, batch_idx: int
    ) -> None:
        if self.watched == len(self.losses):  # steps that did not step the optimizer
            self.check(trainer)
        if self.watched == 0:
            self.first_watched_step = trainer.global_step  # the step this batch takes

    def on_train_batch_end(
        self,
        trainer: L.Trainer,
        pl_module: L.LightningModule,
        outputs: dict[str, Tensor],
        batch: Any,
        batch_idx: int,
    ) -> None:
        # Lightning hands the loss divided by accumulate_grad_batches: the step's loss is back
        # (the same where it is 1, as it mostly is).
        loss = outputs[f"{self.prefix}loss"]
        if trainer.accumulate_grad_batches != 1:
            loss = loss * trainer.accumulate_grad_batches
        self.losses[self.watched] = loss  # a copy on the device: no host sync
        self.watched += 1
        logging_step = trainer.global_step % trainer.log_every_n_steps == 0  # stepped already
        if logging_step or trainer.is_last_batch:
            self.check(trainer)

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.check(trainer)  # an epoch cut short (max_steps, a stop)

    def check(self, trainer: L.Trainer) -> None:
        """Raise `Diverged` for the first non-finite loss since the last check: one read."""
        losses, self.watched = self.losses[: self.watched].tolist(), 0
        for index, loss in enumerate(losses):
            if not math.isfinite(loss):
                step = self.first_watched_step + index
                raise Diverged(loss, step, trainer.current_epoch, self.last_finite_loss)
            self.last_finite_loss = loss
