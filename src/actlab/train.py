"""The recipe of a run: check the config, build every object from it, fit, test. `run` wraps it in
the bookkeeping of `actlab.bookkeeping`; `actlab-train` (`actlab.cli.train`) calls `run`."""

import logging
from pathlib import Path

import lightning as L
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.strategies.launchers.subprocess_script import _SubprocessScriptLauncher
from omegaconf import DictConfig

from actlab.allocator import steady_malloc
from actlab.bookkeeping import recorded
from actlab.build import build, build_all, build_callbacks, build_classifier, target_of
from actlab.callbacks.run_record import RunRecord
from actlab.checks import check_accelerator, check_config
from actlab.models.compatibility import check_model_fits_data
from actlab.resume import read_checkpoint
from actlab.slurm import slurm_plugins

log = logging.getLogger(__name__)


def launchable(trainer: L.Trainer, cfg: DictConfig, **objects: list) -> L.Trainer:
    """`trainer` (built with `objects`: callbacks, loggers, plugins), or where it cannot run as it
    is, one that can. Lightning's DDP starts its other processes by running the command line
    again, and in a local multirun (-m) that command is the whole sweep: there the job's
    processes are spawned instead (`ddp_spawn`). A launcher that starts every process itself
    (SLURM through hydra/launcher=slurm) needs neither."""
    strategy = trainer.strategy
    if (
        HydraConfig.get().mode == RunMode.MULTIRUN
        and isinstance(strategy.launcher, _SubprocessScriptLauncher)
        and not strategy.cluster_environment.creates_processes_externally
    ):
        log.info("DDP in a local sweep: the job's %d processes are spawned", trainer.num_devices)
        return build(cfg, "trainer", **objects, strategy="ddp_spawn")
    return trainer


def train(
    cfg: DictConfig, record: RunRecord, again: bool = False, ckpt_path: Path | None = None
) -> None:
    """The recipe: datamodule, model, classifier, trainer from the config; fit (from `ckpt_path`,
    when given); test the weights that `test_weights` names.

    `again`: an earlier attempt of this run stopped in its folder; the loggers hide what it logged
    from the step of `ckpt_path` on (from the start without one)."""
    check_config(cfg)
    check_accelerator(cfg)
    if cfg.steady_malloc:
        steady_malloc()
    L.seed_everything(cfg.seed, workers=True)
    datamodule = build(cfg, "data")
    datamodule.prepare_data()  # found, or downloaded, before anything else is built
    check_model_fits_data(target_of(cfg.model, "model"), datamodule.input_shape)
    classifier = build_classifier(cfg, datamodule)
    step = 0 if ckpt_path is None else read_checkpoint(ckpt_path, classifier)["global_step"]
    if again:
        for logger in (cfg.logger or {}).values():
            if logger is not None and "purge_step" in logger:
                logger.purge_step = step
    objects = {
        "callbacks": [record, *build_callbacks(cfg)],
        "logger": build_all(cfg, "logger"),
        "plugins": [*(build(cfg, "trainer.plugins", _convert_="all") or []), *slurm_plugins()],
    }
    trainer: L.Trainer = build(cfg, "trainer", **objects)
    trainer = launchable(trainer, cfg, **objects)
    record.trainer = trainer  # its loggers get the summary, also when other processes trained
    trainer.fit(classifier, datamodule=datamodule, ckpt_path=ckpt_path)
    checkpoint = trainer.checkpoint_callback
    # The final weights are the classifier's own; the best are the best checkpoint's, where there
    # is one (not with checkpoints off, nor before an epoch improved the monitored metric).
    best = checkpoint.best_model_path if isinstance(checkpoint, ModelCheckpoint) else None
    tested = best if cfg.test_weights == "best" else None
    trainer.test(classifier, datamodule=datamodule, ckpt_path=tested or None)


def run(cfg: DictConfig) -> float:
    """Train the run of `cfg` with `train`, with the bookkeeping around it (`recorded`); the best
    monitored value (NaN unless it ended ok), what a sweeper optimises."""
    return recorded(cfg, train)
