"""The record of one run: `metrics.json` in its directory and the HParams entry of its loggers."""

import math
import time
from pathlib import Path
from typing import Any

import lightning as L
import torch
from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from lightning.pytorch.loggers import Logger, TensorBoardLogger
from lightning.pytorch.utilities import rank_zero_only
from lightning.pytorch.utilities.exceptions import SIGTERMException
from omegaconf import DictConfig, OmegaConf

from actlab.activations.sites import learnable_sites
from actlab.storage.records import (
    Record,
    Scalar,
    Status,
    improves,
    new_record,
    objective,
    read_record,
    write_record,
)
from actlab.utils.errors import ConfigError


def run_hparams(cfg: DictConfig) -> dict[str, Scalar]:
    """What tells this run apart in a sweep: the option chosen in every config group, the value of
    every key overridden on the command line (but Hydra's and `stack.*`, how it was trained with
    others), the seed, and its `tags` (joined by commas)."""
    hydra_cfg = HydraConfig.get()
    params: dict[str, Scalar] = {
        group: choice
        for group, choice in hydra_cfg.runtime.choices.items()
        if choice is not None and not group.startswith("hydra")
    }
    for override in OverridesParser.create().parse_overrides(list(hydra_cfg.overrides.task)):
        key = override.key_or_group
        if key in params or key.startswith(("hydra", "stack.")) or override.is_delete():
            continue
        value = OmegaConf.select(cfg, key, default=None)
        if value is None:  # several options of a group (regularization=[l1,dropout]), or null
            params[key] = override.get_value_element_as_str()
        else:
            params[key] = value if isinstance(value, Scalar) else str(OmegaConf.to_container(value))
    params["seed"] = cfg.seed
    if cfg.get("tags"):
        params["tags"] = ",".join(map(str, cfg.tags))
    return params


class RunRecord(L.Callback):
    """Keeps `metrics.json` current while a run trains, and records how it ended.

    The file holds the status (running, ok, failed, diverged, interrupted by Ctrl-C or SIGTERM)
    and the reason of a failure or an interruption (and of a divergence, its step, epoch, loss
    and the last finite loss under "diverged"); what the validation metrics are of
    (`validation`: a split of the training data, the test set, or none); the history of
    epoch-level metrics, with each epoch's duration (its validation included); the epoch where
    the monitored metric was best, with it and the validation metrics there; where early
    stopping ended it, at which epoch (`stopped_early`); the final validation metrics, the test
    metrics and which weights they are of (`tested`: the best epoch's or the last), the number of
    parameters (and of those the learnable activations'), the peak GPU memory allocated while
    training (on CUDA), the wall time (of every attempt), the run's hyper-parameters and its
    tags; and each time the run continued an earlier attempt (resume=true, ckpt_path, a requeued
    SLURM job), at which epoch and step, after what (`continued`). At the end the same summary
    goes to the loggers' hyper-parameters (TensorBoard's HParams tab), so a sweep's runs compare
    there.
    """

    def __init__(
        self,
        run_dir: Path,
        monitor: str,
        mode: str,
        hparams: dict[str, Scalar],
        previous: Record | None = None,
        tags: list[str] | None = None,
        validation: str = "split",
    ) -> None:
        if mode not in ("min", "max"):
            raise ConfigError(f"monitor mode must be 'min' or 'max', got {mode!r}")
        self.run_dir = run_dir
        self.monitor = monitor
        self.mode = mode
        self.hparams = hparams
        self.start = time.perf_counter()
        self.epoch_start = self.start
        self.trainer: L.Trainer | None = None
        # A stack's member (`actlab.callbacks.members`): its metrics are named `<k>/<name>` in
        # the stack's Trainer, and its summary goes to its own loggers.
        self.prefix = ""
        self.loggers: list[Logger] | None = None
        continued = list(previous.get("continued", [])) if previous else []
        self.record = new_record(
            monitor, mode, hparams, list(tags or []), continued, validation=validation
        )
        # A resumed run keeps the epochs it recorded before its checkpoint (see on_train_start),
        # adds up its wall time, and says where and after what it continued.
        self.earlier = previous["history"] if previous else []
        self.earlier_time = previous["wall_time_s"] if previous else 0.0
        self.earlier_peak = previous.get("peak_gpu_memory_mib") if previous else None
        self.tested_weights = "last"  # what `testing` says the test is of
        self.earlier_end = (
            None
            if previous is None
            else ": ".join(filter(None, (previous["status"], previous["reason"])))
        )
        # It leaves the earlier record as it is until it starts training: a bad config or
        # checkpoint in the command that continues a finished run does not overwrite its results.
        self.writing = previous is None
        self.write()

    @rank_zero_only
    def write(self) -> None:
        """Write the record; under DDP only the process of global rank 0 writes."""
        if not self.writing:
            return
        elapsed = self.earlier_time + time.perf_counter() - self.start
        self.record["wall_time_s"] = round(elapsed, 3)
        write_record(self.record, self.run_dir)

    @property
    def objective(self) -> float:
        """The best monitored value of a run that ended ok, else NaN: what a sweeper optimises."""
        return objective(self.record)

    def on_fit_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.trainer = trainer
        self.writing = True
        self.record["num_params"] = sum(p.numel() for p in pl_module.parameters())
        self.record["activation_params"] = sum(
            p.numel() for site in learnable_sites(pl_module).values() for p in site.parameters()
        )
        if pl_module.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(pl_module.device)
        self.write()

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self._continue_earlier(trainer)

    def on_fit_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        # A run resumed where its training was already over (a kill while testing, max_time
        # spent) trains no epoch: Lightning never calls on_train_start.
        self._continue_earlier(trainer)
        self.write()

    def _continue_earlier(self, trainer: L.Trainer) -> None:
        """Once, in a resumed run whose checkpoint the trainer has restored: keep the epochs the
        earlier attempt recorded before the one this attempt starts from, and say so."""
        if self.earlier_end is None:
            return
        for row in self.earlier:
            if row["epoch"] < trainer.current_epoch:
                self._add_epoch(row)
        where = {"epoch": trainer.current_epoch, "step": trainer.global_step}
        self.record["continued"].append({**where, "after": self.earlier_end})
        self.earlier_end = None

    def on_train_epoch_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.epoch_start = time.perf_counter()

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        epoch_time = round(time.perf_counter() - self.epoch_start, 3)
        metrics = {
            name: value
            for name, value in self.metrics(trainer, "train/", "val/").items()
            if not name.endswith("_step")
        }
        self._add_epoch({"epoch": trainer.current_epoch, "epoch_time_s": epoch_time, **metrics})
        self.write()

    def metrics(self, trainer: L.Trainer, *kinds: str) -> dict[str, float]:
        """The run's metrics of `kinds` (name prefixes) that the trainer has now."""
        return {
            name.removeprefix(self.prefix): value.item()
            for name, value in trainer.callback_metrics.items()
            if name.startswith(tuple(self.prefix + kind for kind in kinds))
        }

    def _add_epoch(self, row: dict[str, Any]) -> None:
        """Append an epoch's `row` to the history; update the final and best validation metrics."""
        self.record["history"].append(row)
        validation = {name: value for name, value in row.items() if name.startswith("val/")}
        if validation:
            self.record["final"] = validation
        best = self.record["best"].get(self.monitor)
        if self.monitor in row and improves(row[self.monitor], best, self.mode):
            # The monitored metric is a training one in a run without validation.
            self.record["best"] = {**validation, self.monitor: row[self.monitor]}
            self.record["best_epoch"] = row["epoch"]

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if pl_module.device.type == "cuda":
            peak = torch.cuda.max_memory_allocated(pl_module.device) / 2**20
            self.record["peak_gpu_memory_mib"] = round(max(peak, self.earlier_peak or 0.0), 1)
        for callback in trainer.early_stopping_callbacks:
            if callback.stopped_epoch and callback.monitor.startswith(self.prefix):
                self.record["stopped_early"] = {
                    "epoch": callback.stopped_epoch,
                    "monitor": callback.monitor.removeprefix(self.prefix),
                    "patience": callback.patience,
                    "min_delta": abs(callback.min_delta),
                }
        self.write()

    def on_exception(
        self, trainer: L.Trainer, pl_module: L.LightningModule, exception: BaseException
    ) -> None:
        if isinstance(exception, KeyboardInterrupt | SIGTERMException):
            name = "SIGTERM" if isinstance(exception, SIGTERMException) else "Ctrl-C (SIGINT)"
            where = f"step {trainer.global_step} (epoch {trainer.current_epoch})"
            self.finish(Status.INTERRUPTED, f"{name} at {where}")

    def reread(self) -> None:
        """Take the record from `metrics.json` when processes that Lightning started for a
        spawning strategy (DDP inside a local sweep) trained the run and wrote it there: this
        process's copy of the record never saw their epochs. A record there that is not of a run
        under way (a finished run that this command failed to continue) is left alone."""
        written = read_record(self.run_dir)
        if written is not None and written["status"] == Status.RUNNING:
            self.record, self.writing = written, True

    def on_test_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.reread()

    def testing(self, checkpoint: Path | str | None) -> None:
        """Say which weights the test that follows is of: the best epoch's `checkpoint`, or the
        final weights where it is None."""
        self.tested_weights = "last" if checkpoint is None else "best"

    def on_test_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.record["test"] = self.metrics(trainer, "test/")
        history = self.record["history"]
        epoch = self.record["best_epoch"] if self.tested_weights == "best" else None
        if epoch is None and history:
            epoch = history[-1]["epoch"]
        self.record["tested"] = {"weights": self.tested_weights, "epoch": epoch}
        self.write()

    def finish(
        self, status: Status, reason: str | None = None, diverged: dict[str, Any] | None = None
    ) -> None:
        """Record how the run ended, in `metrics.json` and in the loggers' hyper-parameters;
        `diverged` holds the step, epoch and losses of a divergence."""
        self.reread()
        self.record.update(status=status, reason=reason)
        if diverged is not None:
            self.record["diverged"] = diverged
        self.write()
        if self.trainer is None:
            return
        summary = {
            f"hparams/best_{name.replace('/', '_')}": value
            for name, value in self.record["best"].items()
        }
        monitor = self.record["monitor"]
        columns = {  # HParams' metric columns: the monitored metric at its best, the test accuracy
            f"hparams/best_{monitor.replace('/', '_')}": self.record["best"].get(monitor, math.nan),
            "test/acc": self.record["test"].get("test/acc", math.nan),
        }
        params = {**self.hparams, "status": status}
        step = self.trainer.global_step
        for logger in self.trainer.loggers if self.loggers is None else self.loggers:
            logger.log_metrics(summary, step=step)
            if isinstance(logger, TensorBoardLogger):  # HParams: the summary beside the params
                logger.log_hyperparams(params, columns, step=step)
            else:
                logger.log_hyperparams(params)
            logger.finalize("success" if status == Status.OK else "failed")
