"""Classifier: the one LightningModule, shared by every model of the `model` group."""

from collections.abc import Iterator, Mapping
from typing import Any

import lightning as L
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.optim import Optimizer
from torchmetrics import MeanMetric

from actlab.regularization.penalty import penalized_weights, weight_penalty
from actlab.training.metrics import EpochScores
from actlab.training.optimization import OptimizerFactory, build_optimizer, fit_scheduler


def loggers_write(module: L.LightningModule) -> bool:
    """Whether the loggers write the step `module` is training now (Lightning's
    `log_every_n_steps`): where a step value is worth logging."""
    return (module.global_step + 1) % module.trainer.log_every_n_steps == 0


class Classifier(L.LightningModule):
    """Trains `model` with cross entropy and reports loss, accuracy and macro precision, recall, F1.

    Metrics are states accumulated over the whole epoch (`EpochScores`) and computed and logged
    once at its end, never averages of per-batch values. No step waits for the device. (The run's
    other concerns are callbacks that every run gets: `DivergenceWatch` stops a run whose loss
    became NaN, `RandomState` keeps the random state in checkpoints, `FastPath` runs the model
    in channels_last and through torch.compile.)

    Training minimises cross entropy with `label_smoothing`, plus `l1 * sum |w| + l2 * sum w^2`
    over the weights of linear and conv layers (logged apart as `train/penalty`; `train/loss` is
    the cross entropy alone). Validation and test losses are plain cross entropy.

    `optimizer` is a factory of parameter groups (a `_partial_` optimizer). The parameters of
    learnable activations (adaptive ones, PReLU) form a group of their own, without weight decay
    and with the learning rate times `activation_lr_scale`. `scheduler` is a Lightning
    lr-scheduler config whose `scheduler` entry is a factory of the optimizer, or empty for none;
    `actlab.training.optimization` builds both for the run.

    Given the `input_shape` of one example, the model summary shows each layer's input and output
    sizes and its FLOPs for one example.
    """

    def __init__(
        self,
        model: nn.Module,
        num_classes: int,
        optimizer: OptimizerFactory,
        scheduler: Mapping[str, Any] | None = None,
        activation_lr_scale: float = 1.0,
        label_smoothing: float = 0.0,
        l1: float = 0.0,
        l2: float = 0.0,
        input_shape: tuple[int, ...] | None = None,
    ) -> None:
        super().__init__()
        self.model = model
        if input_shape is not None:
            self.example_input_array = (torch.zeros(1, *input_shape),)
        self.label_smoothing = label_smoothing
        self.l1 = l1
        self.l2 = l2
        self.optimizer_factory = optimizer
        self.scheduler_config = dict(scheduler or {})
        self.activation_lr_scale = activation_lr_scale
        self.train_scores = EpochScores(num_classes)
        self.val_scores = EpochScores(num_classes)
        self.test_scores = EpochScores(num_classes)
        self.penalty = MeanMetric(nan_strategy="disable")  # NaN propagates

    def forward(self, inputs: Tensor) -> Tensor:
        return self.model(inputs)

    def models(self) -> Iterator[nn.Module]:
        """The model it trains (the fast path prepares it)."""
        yield self.model

    def score(
        self, logits: Tensor, labels: Tensor, scores: EpochScores, label_smoothing: float = 0.0
    ) -> Tensor:
        """The cross entropy of `logits` for `labels`, counted in the epoch's `scores`."""
        loss = F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
        scores.update(logits.detach(), labels, loss)
        return loss

    def _log_epoch(self, stage: str, scores: EpochScores) -> None:
        """Log the epoch's `scores` as `<stage>/<score>` and start the next epoch's.

        Logged `on_epoch` and not `on_step` (the defaults of a training batch hook are the other
        way round), so that loggers get each value once, at the epoch's end. Under DDP, `compute`
        has summed the states of every process, so each process logs the same values;
        `sync_dist` averages those (a no-op) and keeps Lightning from warning that epoch-level
        values are not synchronised."""
        epoch = {"on_step": False, "on_epoch": True, "sync_dist": True}
        for name, value in self.epoch_metrics(stage, scores).items():
            self.log(name, value, **epoch)

    def epoch_metrics(self, stage: str, scores: EpochScores) -> dict[str, Tensor]:
        """The epoch's `scores` (and in training its mean penalty) as `<stage>/<score>`, their
        states reset for the next epoch; empty where the epoch saw no batch."""
        metrics = {}
        if scores.update_count:
            metrics = {f"{stage}/{name}": value for name, value in scores.compute().items()}
            scores.reset()
        if stage == "train" and self.penalty.update_count:
            metrics["train/penalty"] = self.penalty.compute()
            self.penalty.reset()
        return metrics

    def training_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> Tensor:
        inputs, labels = batch
        loss, penalty = self.training_loss(self(inputs), labels)
        if loggers_write(self):
            # Not prog_bar: Lightning reads those from the device after every step (the progress
            # bar callback shows it, read at logging steps).
            self.log("train/loss_step", loss, on_step=True, on_epoch=False)
        return loss + penalty

    def training_loss(self, logits: Tensor, labels: Tensor) -> tuple[Tensor, Tensor | float]:
        """The training loss of a batch's `logits` (cross entropy, counted in the epoch's scores)
        and the weight penalty added to it for the optimizer (0.0 without one)."""
        loss = self.score(logits, labels, self.train_scores, self.label_smoothing)
        if self.l1 or self.l2:
            penalty = weight_penalty(penalized_weights(self.model), self.l1, self.l2)
            # Weighted by batch size as `weight` copies (a view): torchmetrics 1.9 ignores
            # `weight=` with nan_strategy "disable".
            self.penalty.update(penalty.detach().expand(len(labels)))
            return loss, penalty
        return loss, 0.0

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        inputs, labels = batch
        self.score(self(inputs), labels, self.val_scores)

    def test_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        inputs, labels = batch
        self.score(self(inputs), labels, self.test_scores)

    def on_train_batch_end(self, outputs: Tensor, batch: Any, batch_idx: int) -> None:
        if self.trainer.is_last_batch:
            # Here rather than in on_train_epoch_end, which Lightning calls after the callbacks'
            # own: so that every callback finds the epoch's training scores there.
            self._log_epoch("train", self.train_scores)

    def on_train_epoch_end(self) -> None:
        self._log_epoch("train", self.train_scores)  # an epoch cut short (max_steps, a stop)

    def on_validation_epoch_end(self) -> None:
        self._log_epoch("val", self.val_scores)

    def on_test_epoch_end(self) -> None:
        self._log_epoch("test", self.test_scores)

    def configure_optimizers(self) -> Optimizer | dict[str, Any]:
        optimizer = build_optimizer(self.optimizer_factory, self.model, self.activation_lr_scale)
        if not self.scheduler_config:
            return optimizer
        scheduler = fit_scheduler(
            self.scheduler_config["scheduler"],
            optimizer,
            lambda: self.trainer.estimated_stepping_batches,
            self.activation_lr_scale,
        )
        return {
            "optimizer": optimizer,
            "lr_scheduler": {**self.scheduler_config, "scheduler": scheduler},
        }
