"""Classifier: the one LightningModule, shared by every model of the `model` group."""

import logging
from collections.abc import Mapping
from typing import Any

import lightning as L
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.optim import Optimizer
from torchmetrics import MeanMetric

from actlab.metrics import EpochScores
from actlab.optimization import OptimizerFactory, build_optimizer, fit_scheduler
from actlab.regularization.penalty import penalized_weights, weight_penalty

log = logging.getLogger(__name__)


class Classifier(L.LightningModule):
    """Trains `model` with cross entropy and reports loss, accuracy and macro precision, recall, F1.

    Metrics are states accumulated over the whole epoch (`EpochScores`) and computed and logged
    once at its end, never averages of per-batch values. No step waits for the device. (The run's
    other concerns are callbacks that the recipe adds: `DivergenceWatch` stops a run whose loss
    became NaN, `RandomState` keeps the random state in checkpoints.)

    Training minimises cross entropy with `label_smoothing`, plus `l1 * sum |w| + l2 * sum w^2`
    over the weights of linear and conv layers (logged apart as `train/penalty`; `train/loss` is
    the cross entropy alone). Validation and test losses are plain cross entropy.

    `optimizer` is a factory of parameter groups (a `_partial_` optimizer). The parameters of
    learnable activations (adaptive ones, PReLU) form a group of their own, without weight decay
    and with the learning rate times `activation_lr_scale`. `scheduler` is a Lightning
    lr-scheduler config whose `scheduler` entry is a factory of the optimizer, or empty for none;
    `actlab.optimization` builds both for the run.
    `channels_last` runs conv layers and image batches in NHWC memory format when training on a
    CUDA GPU; `compile` runs the model through torch.compile, in that mode when it is one
    (`reduce-overhead`: CUDA graphs).

    Given the `input_shape` of one example, the model summary shows each layer's input and output
    sizes and its FLOPs for one example (not with `compile`: that example would compile a graph
    of its own).
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
        channels_last: bool = False,
        compile: bool | str = False,
        input_shape: tuple[int, ...] | None = None,
    ) -> None:
        super().__init__()
        self.model = model
        if input_shape is not None and not compile:
            self.example_input_array = (torch.zeros(1, *input_shape),)
        self.label_smoothing = label_smoothing
        self.l1 = l1
        self.l2 = l2
        self.optimizer_factory = optimizer
        self.scheduler_config = dict(scheduler or {})
        self.activation_lr_scale = activation_lr_scale
        self.channels_last = channels_last
        self.compile = compile
        self.compiled = False
        self.memory_format = torch.contiguous_format
        self.train_scores = EpochScores(num_classes)
        self.val_scores = EpochScores(num_classes)
        self.test_scores = EpochScores(num_classes)
        self.penalty = MeanMetric(nan_strategy="disable")  # NaN propagates

    def configure_model(self) -> None:
        # Lightning calls this before fit and again before test: it must be idempotent. It runs
        # before the model moves to its device or is wrapped for DDP, so the format is set here.
        # channels_last stays off on CPU: oneDNN's backward of strided 1x1 convolutions in NHWC
        # with few input channels corrupts memory or gradients (uxlfoundation/oneDNN#6035).
        if self.channels_last and self.trainer.strategy.root_device.type == "cuda":
            self.memory_format = torch.channels_last
            self.model.to(memory_format=self.memory_format)
        if self.compile and not self.compiled:
            self.model.compile(mode=None if self.compile is True else self.compile)
            self.compiled = True

    def on_fit_start(self) -> None:
        on_gpu = self.device.type == "cuda"
        if not self.channels_last:
            channels_last = "off"
        else:
            channels_last = "on" if on_gpu else f"skipped on {self.device.type} (oneDNN#6035)"
        cudnn = torch.backends.cudnn.benchmark if on_gpu else f"unused on {self.device.type}"
        log.info(
            "Fast path on %s: precision %s, channels_last %s, compile %s, cudnn.benchmark %s",
            self.device,
            self.trainer.precision,
            channels_last,
            self.compile if isinstance(self.compile, str) else "on" if self.compile else "off",
            cudnn,
        )

    def forward(self, inputs: Tensor) -> Tensor:
        if inputs.ndim == 4:
            inputs = inputs.contiguous(memory_format=self.memory_format)
        return self.model(inputs)

    def _evaluate(
        self, batch: tuple[Tensor, Tensor], scores: EpochScores, label_smoothing: float = 0.0
    ) -> Tensor:
        inputs, labels = batch
        logits = self(inputs)
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
        if scores.update_count:
            for name, value in scores.compute().items():
                self.log(f"{stage}/{name}", value, **epoch)
            scores.reset()
        if stage == "train" and self.penalty.update_count:
            self.log("train/penalty", self.penalty.compute(), **epoch)
            self.penalty.reset()

    def training_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> Tensor:
        loss = self._evaluate(batch, self.train_scores, self.label_smoothing)
        if (self.global_step + 1) % self.trainer.log_every_n_steps == 0:  # when loggers write
            # Not prog_bar: Lightning reads those from the device after every step (the progress
            # bar callback shows it, read at logging steps).
            self.log("train/loss_step", loss, on_step=True, on_epoch=False)
        if self.l1 or self.l2:
            penalty = weight_penalty(penalized_weights(self.model), self.l1, self.l2)
            # Weighted by batch size as `weight` copies (a view): torchmetrics 1.9 ignores
            # `weight=` with nan_strategy "disable".
            self.penalty.update(penalty.detach().expand(len(batch[1])))
            loss = loss + penalty
        return loss

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        self._evaluate(batch, self.val_scores)

    def test_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        self._evaluate(batch, self.test_scores)

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
