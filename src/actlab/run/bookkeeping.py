"""The bookkeeping around a run's recipe: which command trains the run (a lock per run folder),
whether it is trained at all (finished runs skipped when resumed), how it continues an earlier
attempt (`ResumePlan`, decided here once), what it ran with (provenance.json, config_tree.log),
on which GPU (placement), and how it ended (metrics.json through RunRecord: ok, diverged, failed,
interrupted). `actlab.run.recipe` holds the recipe itself."""

import json
import logging
import math
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from lightning.pytorch.utilities import rank_zero_only
from lightning.pytorch.utilities.exceptions import SIGTERMException
from omegaconf import DictConfig, OmegaConf

from actlab.callbacks.divergence import Diverged
from actlab.callbacks.run_record import RunRecord, run_hparams
from actlab.config import CONFIG_DIR
from actlab.config.build import build
from actlab.run.resume import ResumePlan, resume_plan
from actlab.storage.folders import hold
from actlab.storage.records import Status, objective
from actlab.utils.atomic import write_text_atomically
from actlab.utils.console import print_config_tree
from actlab.utils.errors import ConfigError, user_error_in
from actlab.utils.provenance import provenance

log = logging.getLogger(__name__)

Recipe = Callable[[DictConfig, RunRecord, ResumePlan], None]
"""`recipe(cfg, record, plan)`: what trains a run (`actlab.run.recipe.train`), keeping `record`
as it goes, started as `plan` says."""


@contextmanager
def on_gpu_slot(cfg: DictConfig) -> Iterator[None]:
    """With `placement` (a sweep's jobs side by side on the GPUs), hold a GPU's slot while the
    block runs and train on that GPU; else nothing."""
    if cfg.placement is None:
        yield
        return
    with build(cfg, "placement").claim() as gpu:
        if cfg.trainer.accelerator in ("auto", "gpu", "cuda") and torch.cuda.is_available():
            cfg.trainer.devices = [gpu]
        yield


@dataclass
class Run:
    """A run this command trains, in its folder: how it starts (`plan`) and its `record`; no
    record where it finished already (`plan.previous` says how)."""

    plan: ResumePlan
    record: RunRecord | None

    @property
    def objective(self) -> float:
        """The best monitored value, NaN unless it ended ok: what a sweeper optimises."""
        return objective(self.plan.previous) if self.record is None else self.record.objective


@contextmanager
def bookkeeping(cfg: DictConfig, ran_with: dict[str, Any] | None = None) -> Iterator[Run | None]:
    """Hold the run folder of `cfg` while the block trains its run, and record how it ended.

    Yields None where another command trains the run (two commands that continue one sweep at
    once), a `Run` without a record where it finished already (metrics.json says ok: skipped),
    else the `Run` to train, started as its `plan` says (from its newest checkpoint with
    `resume`, from `ckpt_path`), with what it ran with (`ran_with`: package versions, git commit)
    in provenance.json. The block's end is recorded in metrics.json: ok; diverged (a result, not
    a failure); failed, where a multirun goes on (the sweep reports its failures) and a single
    run raises; Ctrl-C or SIGTERM stop the command with status 1 or 143, the run recorded as
    interrupted, its state saved in checkpoints/interrupted.ckpt (by `RunRecord` and
    `InterruptCheckpoint`). A solo run enters it once (`run_with_bookkeeping`), a stack once for
    each of its members (`actlab.run.stack`)."""
    output_dir = Path(cfg.paths.output_dir)
    # Under DDP the other processes train the same run: only the first one takes its lock.
    with hold(output_dir) if rank_zero_only.rank == 0 else nullcontext(True) as ours:
        if not ours:
            log.info("%s is being trained by another command: skipped", output_dir)
            yield None
            return
        plan = resume_plan(output_dir, cfg.resume, cfg.ckpt_path)
        if plan.finished:
            log.info("%s finished already (metrics.json says ok): skipped", output_dir)
            yield Run(plan, None)
            return
        if rank_zero_only.rank == 0:
            record_provenance(cfg, output_dir, ran_with)
        record = run_record(cfg, output_dir, plan)
        try:
            yield Run(plan, record)
        except SIGTERMException as stop:  # RunRecord has recorded it as interrupted
            raise SystemExit(128 + signal.SIGTERM) from stop  # the shell's status for a SIGTERM
        except Diverged as diverged:
            log.warning("Run diverged: %s: %s", output_dir, diverged)
            record.finish(Status.DIVERGED, str(diverged), diverged=diverged.details)
        except Exception as error:
            # A user's mistake is recorded as itself, also where Hydra's instantiate wrapped it.
            user_error = user_error_in(error)
            failure = user_error or error
            record.finish(Status.FAILED, f"{type(failure).__name__}: {failure}")
            if HydraConfig.get().mode != RunMode.MULTIRUN:
                raise
            if user_error is None:
                log.exception("Run failed: %s; the sweep goes on", output_dir)
            else:  # its message is the whole answer
                log.error("Run failed: %s: %s\nThe sweep goes on", output_dir, user_error)
        else:
            record.finish(Status.OK)


def run_with_bookkeeping(cfg: DictConfig, recipe: Recipe) -> float:
    """Train one run with `recipe`, in its folder, with its `bookkeeping`; returns the best
    monitored value. With `ckpt_path`, the run continues from that checkpoint (in its run's
    folder, when it is in one)."""
    if cfg.ckpt_path is not None and HydraConfig.get().mode == RunMode.MULTIRUN:
        raise ConfigError(
            f"ckpt_path={cfg.ckpt_path} continues one run, not a sweep: give it without -m, "
            "or rerun the sweep's command with resume=true"
        )
    with bookkeeping(cfg) as run:
        if run is None:
            return math.nan
        if run.record is not None:
            with on_gpu_slot(cfg):
                recipe(cfg, run.record, run.plan)
    return run.objective


def record_provenance(
    cfg: DictConfig, output_dir: Path, ran_with: dict[str, Any] | None = None
) -> None:
    """What the run of `cfg` ran with (provenance.json: `ran_with`, else found now) and its config
    (config_tree.log, and on the console), beside its metrics.json in `output_dir`; a command that
    continues a run records them beside its own config (.hydra/continued/<time>_<process>/),
    leaving the run's."""
    subdir = HydraConfig.get().output_subdir
    folder = output_dir if subdir in (None, ".hydra") else output_dir / subdir
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(ran_with or provenance(CONFIG_DIR.parent), indent=2)
    write_text_atomically(folder / "provenance.json", text)
    if cfg.extras.print_config:
        print_config_tree(cfg, folder / "config_tree.log")


def run_record(cfg: DictConfig, output_dir: Path, plan: ResumePlan) -> RunRecord:
    """The record of the run of `cfg` in `output_dir`, going on from the plan's earlier one."""
    return RunRecord(
        output_dir,
        monitor=cfg.monitor.metric,
        mode=cfg.monitor.mode,
        hparams=run_hparams(cfg),
        previous=plan.previous,
        tags=list(cfg.get("tags") or []),
        validation=OmegaConf.select(cfg, "data.validation", default="split"),
    )
