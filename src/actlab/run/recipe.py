"""The recipe of a run: `assemble` checks the config and builds the run's objects from it,
`fit_and_test` trains and tests them. `run` wraps the two in the bookkeeping of
`actlab.run.bookkeeping`; `actlab-train` (`actlab.cli.train`) calls `run`. A stack of a stacked
sweep assembles each of its runs with `assemble` too (`actlab.run.stack`)."""

from dataclasses import dataclass
from pathlib import Path

import lightning as L
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.loggers import Logger
from omegaconf import DictConfig

from actlab.callbacks.run_record import RunRecord
from actlab.config.build import (
    build,
    build_all,
    build_callbacks,
    build_classifier,
    build_trainer,
    target_of,
)
from actlab.config.checks import check_accelerator, check_config
from actlab.data.in_memory import InMemoryDataModule
from actlab.models.compatibility import check_model_fits_data
from actlab.run.bookkeeping import run_with_bookkeeping
from actlab.run.resume import ResumePlan
from actlab.training.classifier import Classifier
from actlab.utils.allocator import steady_malloc


@dataclass
class Parts:
    """A run's objects, built from its config: what `fit_and_test` trains."""

    datamodule: InMemoryDataModule
    classifier: Classifier
    callbacks: list[L.Callback]
    loggers: list[Logger]


def assemble(
    cfg: DictConfig, plan: ResumePlan, datamodule: InMemoryDataModule | None = None
) -> Parts:
    """Check the config and build the run's objects from it: the datamodule (found, or
    downloaded, before anything else is built; checked to fit the model), or `datamodule`, data
    already built; the classifier, seeded with the run's seed (its initial weights) and checked to
    fit the plan's checkpoint; the callbacks (`build_callbacks`) and loggers (those that take a
    purge step hide what an earlier attempt logged from the plan's on)."""
    check_config(cfg)
    L.seed_everything(cfg.seed, workers=True)
    if datamodule is None:
        datamodule = build(cfg, "data")
        datamodule.prepare_data()
        check_model_fits_data(target_of(cfg.model, "model"), datamodule.input_shape)
    classifier = build_classifier(cfg, datamodule)
    plan.check_fits(classifier)
    loggers = build_all(cfg, "logger", purge_step=plan.purge_step)
    return Parts(datamodule, classifier, build_callbacks(cfg), loggers)


def fit_and_test(cfg: DictConfig, parts: Parts, record: RunRecord, plan: ResumePlan) -> None:
    """Fit the run's classifier, from the plan's checkpoint where it has one, then test the
    weights that `test_weights` names, `record` keeping the run as it goes."""
    trainer = build_trainer(cfg, [record, *parts.callbacks], loggers=parts.loggers)
    record.trainer = trainer  # its loggers get the summary, also when other processes trained
    trainer.fit(parts.classifier, datamodule=parts.datamodule, ckpt_path=plan.checkpoint)
    weights = tested_weights(cfg, trainer)
    record.testing(weights)
    trainer.test(parts.classifier, datamodule=parts.datamodule, ckpt_path=weights)


def train(cfg: DictConfig, record: RunRecord, plan: ResumePlan) -> None:
    """The recipe: check that the accelerator is here, `assemble` the run, `fit_and_test` it."""
    check_accelerator(cfg)
    fit_and_test(cfg, assemble(cfg, plan), record, plan)


def tested_weights(cfg: DictConfig, trainer: L.Trainer) -> Path | None:
    """The checkpoint that `test_weights` names: the best epoch's (`best`), where there is one (not
    with checkpoints off, nor before an epoch improved the monitored metric); else None, the
    classifier's own final weights (`last`)."""
    checkpoint = trainer.checkpoint_callback
    if cfg.test_weights != "best" or not isinstance(checkpoint, ModelCheckpoint):
        return None
    return Path(checkpoint.best_model_path) if checkpoint.best_model_path else None


def run(cfg: DictConfig) -> float:
    """Train the run of `cfg` with `train`, with the bookkeeping around it
    (`run_with_bookkeeping`), or the stack of a stacked sweep (`run_stack`), on glibc's steady
    malloc unless `steady_malloc` is off; the best monitored value (NaN unless it ended ok), what
    a sweeper optimises."""
    if cfg.steady_malloc:
        steady_malloc()
    if cfg.stack.members is not None:  # a stack of a stacked sweep: its members are runs
        from actlab.run.stack import run_stack  # here: a solo run never imports it

        return run_stack(cfg)
    return run_with_bookkeeping(cfg, train)
