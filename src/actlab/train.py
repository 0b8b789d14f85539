"""The Hydra entry point: compose the config, build every object from it, fit, test, record."""

import json
import logging
import math
import signal
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import hydra
import lightning as L
import torch
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.strategies.launchers.subprocess_script import _SubprocessScriptLauncher
from lightning.pytorch.utilities import rank_zero_only
from lightning.pytorch.utilities.exceptions import SIGTERMException
from omegaconf import DictConfig

from actlab.allocator import steady_malloc
from actlab.atomic import write_text_atomically
from actlab.build import build, build_all, build_classifier, target_of
from actlab.callbacks.run_record import RunRecord, objective, run_hparams
from actlab.checks import check_accelerator, check_config
from actlab.config import CONFIG_DIR
from actlab.console import print_config_tree, quiet_third_parties
from actlab.errors import ConfigError, answers_user_errors, user_error_in
from actlab.folders import held
from actlab.models.compatibility import check_model_fits_data
from actlab.module import Diverged
from actlab.provenance import provenance
from actlab.resume import checkpoint_to_resume, previous_record, read_checkpoint

log = logging.getLogger(__name__)


def launchable(trainer: L.Trainer, cfg: DictConfig, callbacks: list, loggers: list) -> L.Trainer:
    """`trainer`, or where it cannot run as it is, one that can. Lightning's DDP starts its other
    processes by running the command line again, and in a local multirun (-m) that command is
    the whole sweep: there the job's processes are spawned instead (`ddp_spawn`). A launcher
    that starts every process itself (SLURM through hydra/launcher=slurm) needs neither."""
    strategy = trainer.strategy
    if (
        HydraConfig.get().mode == RunMode.MULTIRUN
        and isinstance(strategy.launcher, _SubprocessScriptLauncher)
        and not strategy.cluster_environment.creates_processes_externally
    ):
        log.info("DDP in a local sweep: the job's %d processes are spawned", trainer.num_devices)
        return build(cfg, "trainer", callbacks=callbacks, logger=loggers, strategy="ddp_spawn")
    return trainer


@contextmanager
def placed(cfg: DictConfig) -> Iterator[None]:
    """With `placement` (a sweep's jobs side by side on the GPUs), hold a GPU's slot while the
    block runs and train on that GPU; else nothing."""
    if cfg.placement is None:
        yield
        return
    with build(cfg, "placement").claim() as gpu:
        if cfg.trainer.accelerator in ("auto", "gpu", "cuda") and torch.cuda.is_available():
            cfg.trainer.devices = [gpu]
        yield


def train(
    cfg: DictConfig, record: RunRecord, again: bool = False, ckpt_path: Path | None = None
) -> None:
    """The recipe: datamodule, model, classifier, trainer from the config; fit (from `ckpt_path`,
    when given); test the best.

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
    callbacks, loggers = [record, *build_all(cfg, "callbacks")], build_all(cfg, "logger")
    trainer: L.Trainer = build(cfg, "trainer", callbacks=callbacks, logger=loggers)
    trainer = launchable(trainer, cfg, callbacks, loggers)
    record.trainer = (
        trainer  # its loggers get the summary, also where the fit ran in other processes
    )
    trainer.fit(classifier, datamodule=datamodule, ckpt_path=ckpt_path)
    checkpoint = trainer.checkpoint_callback
    # Without a best checkpoint (checkpoints off, or no validation), the final weights.
    best = checkpoint.best_model_path if isinstance(checkpoint, ModelCheckpoint) else None
    trainer.test(classifier, datamodule=datamodule, ckpt_path=best or None)


def run(cfg: DictConfig) -> float:
    """Train one run and record how it ended in `metrics.json`, and what it ran with (package
    versions, git commit) in `provenance.json`; returns the best monitored value.

    In a multirun a failed run is recorded and the sweep goes on (the sweep reports the failures
    when it ends); a single run re-raises. A diverged run is a result, not a failure. Ctrl-C or
    SIGTERM stops the run (and its sweep) with status 1 or 143, recorded as interrupted, its state
    saved in checkpoints/interrupted.ckpt. With `resume`, a run that ended ok is skipped and any
    other continues from its newest checkpoint, in the same folder. With `ckpt_path`, the run
    continues from that checkpoint (in its run's folder, when it is in one). A run that another
    command is training (two commands that continue one sweep at once) is left to it.
    """
    output_dir = Path(cfg.paths.output_dir)
    if cfg.ckpt_path is not None and HydraConfig.get().mode == RunMode.MULTIRUN:
        raise ConfigError(
            f"ckpt_path={cfg.ckpt_path} continues one run, not a sweep: give it without -m, "
            "or rerun the sweep's command with resume=true"
        )
    # Under DDP the other processes train the same run: only the first one takes its lock.
    with held(output_dir) if rank_zero_only.rank == 0 else nullcontext(True) as ours:
        if not ours:
            log.info("%s is being trained by another command: skipped", output_dir)
            return math.nan
        return record_run(cfg, output_dir)


def record_run(cfg: DictConfig, output_dir: Path) -> float:
    """`run`'s work, in the run folder `output_dir` that this command holds."""
    continuing = cfg.resume or cfg.ckpt_path is not None
    previous = previous_record(output_dir / "metrics.json") if continuing else None
    if cfg.ckpt_path is None and previous is not None and previous["status"] == "ok":
        log.info("%s finished already (metrics.json says ok): skipped", output_dir)
        return objective(previous)
    if rank_zero_only.rank == 0:
        # Beside the run's metrics.json; a command that continues a run records it beside its
        # own config (.hydra/continued/<time>_<process>/), leaving the run's.
        subdir = HydraConfig.get().output_subdir
        folder = output_dir if subdir in (None, ".hydra") else output_dir / subdir
        folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps(provenance(CONFIG_DIR.parent), indent=2)
        write_text_atomically(folder / "provenance.json", text)
        if cfg.extras.print_config:
            print_config_tree(cfg, folder / "config_tree.log")
    record = RunRecord(
        output_dir / "metrics.json",
        monitor=cfg.monitor.metric,
        mode=cfg.monitor.mode,
        hparams=run_hparams(cfg),
        previous=previous,
    )
    try:
        if cfg.ckpt_path is not None:
            resume_from = Path(cfg.ckpt_path)
        elif previous is not None:
            resume_from = checkpoint_to_resume(output_dir / "checkpoints")
        else:
            resume_from = None
        with placed(cfg):
            train(cfg, record, again=previous is not None, ckpt_path=resume_from)
    except SIGTERMException as stop:  # RunRecord has recorded it as interrupted
        raise SystemExit(128 + signal.SIGTERM) from stop  # the shell's status for a SIGTERM
    except Diverged as diverged:
        log.warning("Run diverged: %s", diverged)
        record.finish("diverged", str(diverged), diverged=diverged.details)
    except Exception as error:
        # A user's mistake is recorded as itself, also where Hydra's instantiate wrapped it.
        user_error = user_error_in(error)
        failure = user_error or error
        record.finish("failed", f"{type(failure).__name__}: {failure}")
        if HydraConfig.get().mode != RunMode.MULTIRUN:
            raise
        if user_error is None:
            log.exception("Run failed; the sweep goes on with its next job")
        else:  # its message is the whole answer
            log.error("Run failed: %s\nThe sweep goes on with its next job", user_error)
    else:
        record.finish("ok")
    return record.objective


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="train")
@answers_user_errors
def main(cfg: DictConfig) -> float:
    """`actlab-train` / `python train.py`: one run, or a sweep with -m."""
    quiet_third_parties()
    return run(cfg)
