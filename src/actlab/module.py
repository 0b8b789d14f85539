"""Classifier: the one LightningModule, shared by every model of the `model` group."""

import inspect
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

import lightning as L
import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler
from torchmetrics import MeanMetric

from actlab.activations import activation_parameters
from actlab.metrics import EpochScores
from actlab.regularization.penalty import penalized_weights, weight_penalty

log = logging.getLogger(__name__)

ABSOLUTE_LRS = ("base_lr", "max_lr")
"""Scheduler arguments that set learning rates outright (CyclicLR, OneCycleLR), not as factors."""

OptimizerFactory = Callable[[Iterable[dict[str, Any]]], Optimizer]


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


class Classifier(L.LightningModule):
    """Trains `model` with cross entropy and reports loss, accuracy and macro precision, recall, F1.

    Metrics are states accumulated over the whole epoch (`EpochScores`) and computed and logged
    once at its end, never averages of per-batch values. No step waits for the device: a
    non-finite training loss is noted there and raises `Diverged`, with the step where it first
    happened, at the next logging step or epoch end.

    Training minimises cross entropy with `label_smoothing`, plus `l1 * sum |w| + l2 * sum w^2`
    over the weights of linear and conv layers (logged apart as `train/penalty`; `train/loss` is
    the cross entropy alone). Validation and test losses are plain cross entropy.

    `optimizer` is a factory of parameter groups (a `_partial_` optimizer). The parameters of
    learnable activations (adaptive ones, PReLU) form a group of their own, without weight decay
    and with the learning rate times `activation_lr_scale`. `scheduler` is a Lightning
    lr-scheduler config whose `scheduler` entry is a factory of the optimizer, or empty for none;
    `fit_to_run` completes it for the run.
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
        # The divergence watch: the training losses since the last check, kept on the device
        # and read at logging steps and epoch ends, never at every step (a read waits for the
        # device); the step of the first of them; the last finite loss before them.
        self.losses = torch.empty(0)
        self.watched = 0
        self.first_watched_step = 0
        self.last_finite_loss: float | None = None

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
        self.watch(loss.detach())
        return loss

    def on_train_start(self) -> None:
        self.losses = torch.empty(self.trainer.log_every_n_steps, device=self.device)

    def watch(self, loss: Tensor) -> None:
        """Keep the training `loss` on the device for the next divergence check."""
        if self.watched == len(self.losses):  # steps that did not step the optimizer
            self.check_divergence()
        if self.watched == 0:
            self.first_watched_step = self.global_step
        self.losses[self.watched] = loss  # a copy on the device: no host sync
        self.watched += 1

    def check_divergence(self) -> None:
        """Raise `Diverged` for the first non-finite training loss since the last check, with
        its step and the last finite loss before it: one read of the device."""
        losses, self.watched = self.losses[: self.watched].tolist(), 0
        for index, loss in enumerate(losses):
            if not math.isfinite(loss):
                step = self.first_watched_step + index
                raise Diverged(loss, step, self.current_epoch, self.last_finite_loss)
            self.last_finite_loss = loss

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        self._evaluate(batch, self.val_scores)

    def test_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        self._evaluate(batch, self.test_scores)

    def on_train_batch_end(self, outputs: Tensor, batch: Any, batch_idx: int) -> None:
        logging_step = self.global_step % self.trainer.log_every_n_steps == 0  # stepped already
        if logging_step or self.trainer.is_last_batch:
            self.check_divergence()
        if self.trainer.is_last_batch:
            # Here rather than in on_train_epoch_end, which Lightning calls after the callbacks'
            # own: so that every callback finds the epoch's training scores there.
            self._log_epoch("train", self.train_scores)

    def on_train_epoch_end(self) -> None:
        self.check_divergence()  # an epoch cut short (max_steps, a stop)
        self._log_epoch("train", self.train_scores)

    def on_validation_epoch_end(self) -> None:
        self._log_epoch("val", self.val_scores)

    def on_test_epoch_end(self) -> None:
        self._log_epoch("test", self.test_scores)

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        # The random state that dropout and augmentation draw from: a run resumed from the end
        # of an epoch draws what the run would have drawn had it gone on.
        # (Under DDP, every process has the same: they were seeded alike.)
        checkpoint["rng_states"] = {
            "cpu": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state() if torch.cuda.is_initialized() else None,
        }

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        states = checkpoint.get("rng_states")
        if states is None:
            return
        torch.set_rng_state(states["cpu"])
        if states["cuda"] is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state(states["cuda"])  # this process's device

    def configure_optimizers(self) -> Optimizer | dict[str, Any]:
        activation = activation_parameters(self.model)
        in_activation = {id(param) for param in activation}
        weights = [param for param in self.parameters() if id(param) not in in_activation]
        groups: list[dict[str, Any]] = [{"params": weights}]
        if activation:
            groups.append({"params": activation, "weight_decay": 0.0})
        optimizer = self.optimizer_factory(groups)
        if activation:
            optimizer.param_groups[1]["lr"] *= self.activation_lr_scale
        if not self.scheduler_config:
            return optimizer
        make = self.scheduler_config["scheduler"]
        lr_scheduler = {**self.scheduler_config, "scheduler": self.fit_to_run(make, optimizer)}
        return {"optimizer": optimizer, "lr_scheduler": lr_scheduler}

    def fit_to_run(self, make: partial, optimizer: Optimizer) -> LRScheduler:
        """The scheduler of `make` for this run: one that takes `total_steps` and is not given it
        gets the run's number of optimizer steps; absolute learning rates (`base_lr`, `max_lr`)
        are scaled per parameter group as the groups' own learning rates are, so that the
        activations keep their `activation_lr_scale`."""
        accepted = inspect.signature(make).parameters
        extra: dict[str, Any] = {}
        if "total_steps" in accepted and make.keywords.get("total_steps") is None:
            extra["total_steps"] = self.trainer.estimated_stepping_batches
        scales = [1.0, self.activation_lr_scale][: len(optimizer.param_groups)]
        for name in ABSOLUTE_LRS:
            value = make.keywords.get(name)
            if isinstance(value, int | float):
                extra[name] = [value * scale for scale in scales]
        return make(optimizer, **extra)
