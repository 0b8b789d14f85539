"""The recipe of a run: check the config, build every object from it, fit, test. `run` wraps it in
the bookkeeping of `actlab.run.bookkeeping`; `actlab-train` (`actlab.cli.train`) calls `run`."""

from pathlib import Path

import lightning as L
from lightning.pytorch.callbacks import ModelCheckpoint
from omegaconf import DictConfig

from actlab.callbacks.run_record import RunRecord
from actlab.config.build import build, build_callbacks, build_classifier, build_trainer, target_of
from actlab.config.checks import check_accelerator, check_config
from actlab.models.compatibility import check_model_fits_data
from actlab.run.bookkeeping import run_with_bookkeeping
from actlab.run.resume import ResumePlan
from actlab.utils.allocator import steady_malloc


def train(cfg: DictConfig, record: RunRecord, plan: ResumePlan) -> None:
    """The recipe: check the config; build the datamodule, model, classifier and trainer from it
    (checking that the model fits the data, and the plan's checkpoint the model); fit, from the
    plan's checkpoint where it has one; test the weights that `test_weights` names."""
    check_config(cfg)
    check_accelerator(cfg)
    L.seed_everything(cfg.seed, workers=True)
    datamodule = build(cfg, "data")
    datamodule.prepare_data()  # found, or downloaded, before anything else is built
    check_model_fits_data(target_of(cfg.model, "model"), datamodule.input_shape)
    classifier = build_classifier(cfg, datamodule)
    plan.check_fits(classifier)
    trainer = build_trainer(cfg, [record, *build_callbacks(cfg)], plan.purge_step)
    record.trainer = trainer  # its loggers get the summary, also when other processes trained
    trainer.fit(classifier, datamodule=datamodule, ckpt_path=plan.checkpoint)
    weights = tested_weights(cfg, trainer)
    record.testing(weights)
    trainer.test(classifier, datamodule=datamodule, ckpt_path=weights)


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
