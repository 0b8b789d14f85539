"""The progress bar, without a wait for the device at every step."""

from collections.abc import Sequence
from typing import Any

import lightning as L
from lightning.pytorch.callbacks import RichProgressBar


class ProgressBar(RichProgressBar):
    """Lightning's Rich progress bar, showing the logged values named in `metrics` and no
    logger version.

    Lightning's own way, `self.log(..., prog_bar=True)`, reads those values from the device
    after every step, and each read waits for the device to finish the work queued before it: on
    a GPU, the host then cannot queue the next step while the device runs this one. Here they
    are read when loggers write (`trainer.log_every_n_steps`) and at the end of each epoch.
    """

    def __init__(self, metrics: Sequence[str] = ("train/loss_step", "val/loss"), **kwargs: Any):
        super().__init__(**kwargs)
        self.metrics = list(metrics)
        self.values: dict[str, float] = {}

    def read(self, trainer: L.Trainer) -> None:
        """Read the shown values from the device (a wait for it)."""
        logged = trainer.callback_metrics
        self.values |= {name: logged[name].item() for name in self.metrics if name in logged}

    def get_metrics(self, trainer: L.Trainer, pl_module: L.LightningModule) -> dict[str, Any]:
        """The shown values, without Lightning's `v_num` (the tail of the logger's version: in a
        sweep, of what varies, cut mid-word)."""
        shown = super().get_metrics(trainer, pl_module) | self.values
        shown.pop("v_num", None)
        return shown

    def on_train_batch_end(self, trainer: L.Trainer, *args: Any) -> None:
        if trainer.global_step % trainer.log_every_n_steps == 0:  # a step that logged
            self.read(trainer)
        super().on_train_batch_end(trainer, *args)

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.read(trainer)
        super().on_train_epoch_end(trainer, pl_module)

    def on_validation_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.read(trainer)
        super().on_validation_end(trainer, pl_module)
