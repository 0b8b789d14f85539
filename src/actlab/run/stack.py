"""A stack job: the runs that a stacked sweep (`actlab.sweep.stacking`) put in one stack, trained
as one model in one Trainer, each recorded as its own run in its own job folder.

Each member's folder is made as Hydra makes a job's (its config, overrides and log); each member
is built as its solo run builds it (seeded with its seed, so its initial weights are the solo
run's), keeps its own record, checkpoints and loggers (`actlab.callbacks.members`), and is tested
with its own best weights. Members that continue (`resume=true`) start from their own last
checkpoints; members at different points train in stacks of their own, one after another."""

import logging
import math
import signal
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import lightning as L
from hydra._internal.callbacks import Callbacks
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.utils import configure_log, run_job
from hydra.types import HydraContext, RunMode
from lightning.pytorch.callbacks import ModelCheckpoint, ModelSummary, ProgressBar
from lightning.pytorch.utilities.exceptions import SIGTERMException
from omegaconf import DictConfig, OmegaConf, read_write

from actlab.callbacks.divergence import DivergenceWatch
from actlab.callbacks.fast_path import FastPath
from actlab.callbacks.members import MemberRun, Members
from actlab.callbacks.random_state import RandomState
from actlab.config import CONFIG_DIR
from actlab.config.build import (
    build,
    build_all,
    build_classifier,
    build_trainer,
    logged_to,
    target_of,
)
from actlab.config.checks import check_accelerator, check_config
from actlab.data.stacked import StackedData
from actlab.models.compatibility import check_model_fits_data
from actlab.run.bookkeeping import on_gpu_slot, record_provenance, run_record
from actlab.run.resume import ResumePlan, resume_plan
from actlab.storage.checkpoints import CheckpointIO, load_checkpoint
from actlab.storage.folders import hold
from actlab.storage.records import Status
from actlab.sweep.stacking import COMPOSED
from actlab.training.classifier import Classifier
from actlab.training.stacked import StackedClassifier
from actlab.utils.errors import user_error_in
from actlab.utils.provenance import provenance

log = logging.getLogger(__name__)


@dataclass
class Member:
    """A run of a stack as prepared in its folder: its config, resume plan and record keeping."""

    job: int
    cfg: DictConfig
    plan: ResumePlan
    run: MemberRun
    classifier: Classifier | None = None


def member_config(job: int, overrides: list[str]) -> DictConfig:
    """The config of the sweep's job `job` (with its Hydra node), composed from its `overrides`
    as the launcher composes a job's, in the sweep of this stack job (as the sweeper composed
    it, where it ran in this process)."""
    stack = HydraConfig.get()
    config = COMPOSED.pop(tuple(overrides), None)
    if config is None:
        hydra_overrides = [
            o for o in stack.overrides.hydra if not o.startswith("hydra.sweep.subdir=")
        ]
        config = (
            GlobalHydra.instance()
            .config_loader()
            .load_configuration(
                stack.job.config_name, [*hydra_overrides, *overrides], run_mode=RunMode.MULTIRUN
            )
        )
    with read_write(config.hydra):
        config.hydra.job.num = job
        config.hydra.job.id = f"{stack.job.id}_{job}"
    return config


def prepare(
    cfg: DictConfig, job: int, stack_dir: Path, held: ExitStack, ran_with: dict[str, Any]
) -> Member | None:
    """In the member's own job (its folder, config and log made by Hydra): hold its folder, plan
    how it starts and start its record; None where it is not trained here (it finished, or
    another command trains it)."""
    OmegaConf.resolve(cfg)  # its folder, while Hydra's config is this member's
    output_dir = Path(cfg.paths.output_dir)
    if not held.enter_context(hold(output_dir)):
        log.info("%s is being trained by another command: skipped", output_dir)
        return None
    plan = resume_plan(output_dir, cfg.resume, None)
    if plan.finished:
        log.info("%s finished already (metrics.json says ok): skipped", output_dir)
        return None
    log.info("Trained in the stack %s; its log is there", stack_dir)
    record_provenance(cfg, output_dir, ran_with)
    record = run_record(cfg, output_dir, plan)
    record.record["stacked"] = {"stack": str(stack_dir)}
    run = MemberRun(output_dir, record, callbacks=[], loggers=[])
    member = Member(job, cfg, plan, run)
    try:
        check_config(cfg)
        run.loggers = build_all(cfg, "logger", purge_step=plan.purge_step)
        kept = [
            c for c in build_all(cfg, "callbacks") if not isinstance(c, ProgressBar | ModelSummary)
        ]
        run.callbacks = [DivergenceWatch(), RandomState(), *logged_to(run.loggers, kept)]
    except Exception as error:
        fail([member], error)
    return member


def fail(members: list[Member], error: BaseException) -> None:
    """Record that `members` (those of them still training) failed with `error`, said once in
    the log (with its traceback where it is not a user's mistake); the others go on."""
    failing = [member for member in members if member.run.status is None]
    if not failing:
        return
    failure = user_error_in(error) or error
    reason = f"{type(failure).__name__}: {failure}"
    folders = ", ".join(str(member.run.run_dir) for member in failing)
    log.error("Failed: %s: %s", folders, reason, exc_info=failure is error)
    for member in failing:
        member.run.status = Status.FAILED
        member.run.record.finish(Status.FAILED, reason)


@contextmanager
def stack_job_restored() -> Iterator[None]:
    """Hydra's config and logging as this stack job's own, again once the block has made its
    members' jobs (each sets them as its member's)."""
    hydra_cfg = HydraConfig.instance().cfg
    try:
        yield
    finally:
        HydraConfig.instance().cfg = hydra_cfg
        configure_log(hydra_cfg.hydra.job_logging, hydra_cfg.hydra.verbose)


def run_stack(cfg: DictConfig) -> float:
    """Train the stack of this job (`stack.members` lists its members' jobs and overrides): every
    member recorded in its own folder, whatever happens to the others. NaN: a stack is not one
    run to optimise."""
    stack_dir = Path(cfg.paths.output_dir)
    listed = OmegaConf.load(cfg.stack.members)
    ran_with = provenance(CONFIG_DIR.parent)
    context = HydraContext(
        config_loader=GlobalHydra.instance().config_loader(), callbacks=Callbacks()
    )
    with ExitStack() as held:
        members = []
        with stack_job_restored():
            for entry in listed:
                config = member_config(entry.job, list(entry.overrides))
                task = partial(
                    prepare, job=entry.job, stack_dir=stack_dir, held=held, ran_with=ran_with
                )
                done = run_job(task, config, "hydra.sweep.dir", "hydra.sweep.subdir", context)
                try:
                    prepared = done.return_value  # what `prepare` raised, raised again
                except Exception:
                    log.exception("Job %s could not be prepared; the others go on", entry.job)
                    continue
                if prepared is not None:
                    members.append(prepared)
        log.info(
            "Stack %s: jobs %s",
            stack_dir,
            ", ".join(str(m.job) for m in members) or "none to train",
        )
        members = [m for m in members if m.run.status is None]
        if members:
            train_members(cfg, members)
    return math.nan


def train_members(cfg: DictConfig, members: list[Member]) -> None:
    """Build every member on the stack's data and train them, those that start at one point (a
    new run, or the step of their checkpoints) together."""
    try:
        check_accelerator(cfg)
        data = build(members[0].cfg, "data")
        data.prepare_data()
        check_model_fits_data(target_of(cfg.model, "model"), data.input_shape)
    except Exception as error:
        fail(members, error)
        return
    starts: dict[int | None, list[Member]] = {}
    for member in members:
        try:
            L.seed_everything(member.cfg.seed, workers=True)
            member.classifier = build_classifier(member.cfg, data)
            member.plan.check_fits(member.classifier)
            step = None if member.plan.saved is None else member.plan.saved["global_step"]
        except Exception as error:
            fail([member], error)
            continue
        starts.setdefault(step, []).append(member)
    for together in starts.values():
        with on_gpu_slot(cfg):
            train_together(cfg, together, data)


def train_together(cfg: DictConfig, members: list[Member], data: Any) -> None:
    """Fit the `members` as one stack and test each with its own weights (`test_weights`)."""
    stacked_data = StackedData(data, [m.cfg.seed for m in members])
    for member in members:  # they share its time and memory: the report says so
        member.run.record.record["stacked"]["members"] = len(members)
    callbacks = [Members([m.run for m in members]), RandomState(), FastPath(cfg.channels_last)]
    try:
        trainer = build_trainer(cfg, callbacks, loggers=[], enable_checkpointing=False)
        on_gpu = trainer.strategy.root_device.type == "cuda"
        fused = cfg.stack.fuse is True or (cfg.stack.fuse == "auto" and on_gpu)
        stack = StackedClassifier([m.classifier for m in members], fused=fused)
        trainer.fit(stack, datamodule=stacked_data, ckpt_path=resumed_from(members, data))
        for k, member in enumerate(members):
            if k in stack.tested_members:
                load_tested_weights(member)
        if stack.tested_members:
            trainer.test(stack, datamodule=stacked_data)
    except SIGTERMException as stop:  # each member's record says interrupted
        raise SystemExit(128 + signal.SIGTERM) from stop
    except Exception as error:
        if HydraConfig.get().mode != RunMode.MULTIRUN:
            raise
        fail(members, error)
        return
    for member in members:
        if member.run.status is None:
            member.run.record.finish(Status.OK)


def load_tested_weights(member: Member) -> None:
    """Give `member` the weights its solo run tests: its best epoch's (`test_weights: best`,
    where its checkpoints kept one), else its final ones."""
    best = next((c for c in member.run.callbacks if isinstance(c, ModelCheckpoint)), None)
    if member.cfg.test_weights != "best" or best is None or not best.best_model_path:
        member.run.record.testing(None)
        return
    member.run.record.testing(best.best_model_path)
    member.classifier.load_state_dict(load_checkpoint(best.best_model_path)["state_dict"])


def resumed_from(members: list[Member], data: Any) -> Path | None:
    """The checkpoint the stack starts from, made of its members' own (which are at one step) and
    written beside the stack's log; None for new runs."""
    saved = [m.plan.saved for m in members]
    if saved[0] is None:
        return None
    first = saved[0]
    checkpoint: dict[str, Any] = {
        key: first[key] for key in ("epoch", "global_step", "pytorch-lightning_version", "loops")
    }
    checkpoint["state_dict"] = {
        f"members.{k}.{name}": value
        for k, one in enumerate(saved)
        for name, value in one["state_dict"].items()
    }
    checkpoint["optimizer_states"] = [{"members": [one["optimizer_states"][0] for one in saved]}]
    checkpoint["lr_schedulers"] = (
        [{"members": [one["lr_schedulers"][0] for one in saved]}] if first["lr_schedulers"] else []
    )
    checkpoint["callbacks"] = {
        Members.__qualname__: {"members": [one.get("callbacks", {}) for one in saved]}
    }
    shuffles = [one.get(type(data).__qualname__, {}).get("shuffle") for one in saved]
    if all(shuffle is not None for shuffle in shuffles):
        checkpoint[StackedData.__qualname__] = {"shuffle": shuffles}
    if "rng_states" in first:
        checkpoint["rng_states"] = first["rng_states"]
    path = Path(HydraConfig.get().runtime.output_dir) / "checkpoints" / "resumed.ckpt"
    CheckpointIO().save_checkpoint(checkpoint, path)
    return path
