"""Classifier: the one LightningModule, shared by every model of the `model` group."""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import lightning as L
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.optim import Optimizer
from torchmetrics import MetricCollection
from torchmetrics.classification import (
    MulticlassAccuracy,
    MulticlassF1Score,
    MulticlassPrecision,
    MulticlassRecall,
)

OptimizerFactory = Callable[[Iterable[nn.Parameter]], Optimizer]


class Diverged(RuntimeError):
    """The training loss became NaN or infinite."""


class Classifier(L.LightningModule):
    """Trains `model` with cross entropy and reports loss, accuracy and macro precision, recall, F1.

    Metrics are torchmetrics states accumulated over the whole epoch and computed once at its end,
    never averages of per-batch values. A non-finite training loss raises `Diverged` at once.

    `optimizer` is a factory of the parameters (a `_partial_` optimizer); `scheduler` is a Lightning
    lr-scheduler config whose `scheduler` entry is a factory of the optimizer, or empty for none.
    """

    def __init__(
        self,
        model: nn.Module,
        num_classes: int,
        optimizer: OptimizerFactory,
        scheduler: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.model = model
        self.optimizer_factory = optimizer
        self.scheduler_config = dict(scheduler or {})
        metrics = MetricCollection(
            {
                "acc": MulticlassAccuracy(num_classes, average="micro"),
                "precision": MulticlassPrecision(num_classes, average="macro"),
                "recall": MulticlassRecall(num_classes, average="macro"),
                "f1": MulticlassF1Score(num_classes, average="macro"),
            }
        )
        self.train_metrics = metrics.clone(prefix="train/")
        self.val_metrics = metrics.clone(prefix="val/")
        self.test_metrics = metrics.clone(prefix="test/")

    def forward(self, inputs: Tensor) -> Tensor:
        return self.model(inputs)

    def _evaluate(self, batch: tuple[Tensor, Tensor], metrics: MetricCollection) -> Tensor:
        inputs, labels = batch
        logits = self(inputs)
        loss = F.cross_entropy(logits, labels)
        metrics.update(logits, labels)
        self.log_dict(metrics, on_step=False, on_epoch=True)
        return loss

    def training_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> Tensor:
        loss = self._evaluate(batch, self.train_metrics)
        if not torch.isfinite(loss):
            raise Diverged(
                f"training loss became {loss.item()} at step {self.global_step} "
                f"(epoch {self.current_epoch})"
            )
        size = len(batch[1])
        self.log("train/loss_step", loss, on_step=True, on_epoch=False, prog_bar=True)
        self.log("train/loss", loss, on_step=False, on_epoch=True, batch_size=size)
        return loss

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        loss = self._evaluate(batch, self.val_metrics)
        self.log("val/loss", loss, prog_bar=True, batch_size=len(batch[1]), sync_dist=True)

    def test_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        loss = self._evaluate(batch, self.test_metrics)
        self.log("test/loss", loss, batch_size=len(batch[1]), sync_dist=True)

    def configure_optimizers(self) -> Optimizer | dict[str, Any]:
        optimizer = self.optimizer_factory(self.parameters())
        if not self.scheduler_config:
            return optimizer
        lr_scheduler = {
            **self.scheduler_config,
            "scheduler": self.scheduler_config["scheduler"](optimizer),
        }
        return {"optimizer": optimizer, "lr_scheduler": lr_scheduler}
