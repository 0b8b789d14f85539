"""A stack job: the runs that a stacked sweep (`actlab.sweep.stacking`) put in one stack, trained
as one model in one Trainer, each recorded as its own run in its own job folder.

Each member's job is made as Hydra makes a sweep's job (`run_job`: its folder, config, overrides
and log; its `hydra.callbacks` told of its start, and of its end once it is trained); each member
is kept by a solo run's `bookkeeping` (entered once per member, ended with its own error or ok),
assembled by its solo run's `assemble` (seeded with its seed: its initial weights are the solo
run's), keeps its own callbacks and loggers (`actlab.callbacks.members`) and is tested with its own
best weights. Members that continue (`resume=true`) start from their own last checkpoints;
members at different points train in stacks of their own, one after another."""

import dataclasses
import logging
import math
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.utils import JobReturn, configure_log, run_job
from hydra.experimental.callback import Callback
from hydra.types import HydraContext, RunMode
from hydra.utils import instantiate
from lightning.pytorch.callbacks import ModelCheckpoint, ModelSummary, ProgressBar
from omegaconf import DictConfig, OmegaConf, read_write

from actlab.callbacks.fast_path import FastPath
from actlab.callbacks.members import MemberRun, Members
from actlab.callbacks.process_group import LeaveProcessGroup
from actlab.callbacks.random_state import RandomState
from actlab.config import CONFIG_DIR
from actlab.config.build import build_trainer, logged_to
from actlab.config.checks import check_accelerator
from actlab.data.in_memory import InMemoryDataModule
from actlab.data.stacked import StackedData
from actlab.loggers.members import MembersLogger
from actlab.run.bookkeeping import bookkeeping, on_gpu_slot
from actlab.run.recipe import assemble
from actlab.run.resume import ResumePlan
from actlab.storage.checkpoints import load_checkpoint
from actlab.sweep.stacking import COMPOSED
from actlab.training.classifier import Classifier
from actlab.training.stacked import StackCheckpointIO, StackedClassifier, random_state
from actlab.utils.provenance import provenance

log = logging.getLogger(__name__)


@dataclass
class Member:
    """A run of a stack as prepared in its folder: its config, resume plan and run; once
    assembled, its classifier and data (the stack's, which the first member built)."""

    job: int
    cfg: DictConfig
    plan: ResumePlan
    run: MemberRun
    classifier: Classifier | None = None
    data: InMemoryDataModule | None = None


class MemberJobCallbacks:
    """A member's own Hydra callbacks (its config's `hydra.callbacks`), called as Hydra calls a
    job's: `on_job_start` as its job is made, `on_job_end` once the member has ended
    (`job_ended`), with its best monitored value as the job's return value and Hydra's config the
    member's."""

    def __init__(self, config: DictConfig) -> None:
        self.callbacks: list[Callback] = [
            instantiate(entry) for entry in (config.hydra.callbacks or {}).values()
        ]
        self.job: tuple[DictConfig, JobReturn] | None = None  # once Hydra made it
        self.value: float | None = None  # once the member ended

    def on_job_start(self, config: DictConfig, **kwargs: Any) -> None:
        for callback in self.callbacks:
            callback.on_job_start(config=config, **kwargs)

    def on_job_end(self, config: DictConfig, job_return: JobReturn, **kwargs: Any) -> None:
        self.job = (config, job_return)
        self._tell()

    def job_ended(self, value: float) -> None:
        """The member ended: its job returns `value`."""
        self.value = value
        self._tell()

    def _tell(self) -> None:
        if self.job is None or self.value is None:
            return
        config, job_return = self.job
        job_return = dataclasses.replace(job_return, _return_value=self.value)
        stack_config = HydraConfig.instance().cfg
        HydraConfig.instance().set_config(config)
        try:
            for callback in reversed(self.callbacks):
                callback.on_job_end(config=config, job_return=job_return)
        finally:
            HydraConfig.instance().cfg = stack_config


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
    cfg: DictConfig,
    job: int,
    stack_dir: Path,
    ran_with: dict[str, Any],
    hydra_callbacks: MemberJobCallbacks,
    data: InMemoryDataModule | None,
) -> Member | None:
    """In the member's own job (its folder, config and log made by Hydra): enter its bookkeeping
    (which holds its folder, plans how it starts and starts its record) and assemble it
    (`assemble_member`, on `data` where an earlier member built it); None where it is not trained
    here (it finished, or another command trains it). A member that cannot be assembled ends
    there, with its error."""
    OmegaConf.resolve(cfg)  # its folder, while Hydra's config is this member's
    logs = [h for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)]
    run = MemberRun(Path(cfg.paths.output_dir), logs[0].baseFilename if logs else None)
    kept = run.job.enter_context(bookkeeping(cfg, ran_with))
    if kept is None or kept.record is None:  # another command's, or finished: its job ends
        run.job.close()
        hydra_callbacks.job_ended(math.nan if kept is None else kept.objective)
        return None
    run.record, run.job_ended = kept.record, hydra_callbacks.job_ended
    log.info("Trained in the stack %s", stack_dir)
    run.record.record["stacked"] = {"stack": str(stack_dir)}
    member = Member(job, cfg, kept.plan, run)
    try:
        check_accelerator(cfg)
        assemble_member(member, data)
    except Exception as error:
        run.end(error)
    return member


STACK_OWN = (ProgressBar, ModelSummary, RandomState, FastPath, LeaveProcessGroup)
"""A run's callbacks that its stack has for all its members: what it shows, the random state (each
member's own: `StackedClassifier`), the fast path, the process group."""


def assemble_member(member: Member, data: InMemoryDataModule | None) -> None:
    """Assemble `member` as its solo run is assembled (`assemble`), on `data` where the stack has
    built its data already; keep its classifier, data, random state as its solo run starts,
    loggers and callbacks (those of `STACK_OWN` left to the stack; Lightning's default checkpoint
    where its solo run has it)."""
    parts = assemble(member.cfg, member.plan, data)
    member.classifier, member.data = parts.classifier, parts.datamodule
    member.run.random_state = random_state(member.cfg.seed)
    member.run.loggers = parts.loggers
    own = [c for c in parts.callbacks if not isinstance(c, STACK_OWN)]
    checkpoints = member.cfg.trainer.get("enable_checkpointing", True)
    if checkpoints and not any(isinstance(c, ModelCheckpoint) for c in own):
        own.append(ModelCheckpoint())  # Lightning's default, as its solo run's
    member.run.callbacks = logged_to(parts.loggers, own)


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
    ran_with = provenance(CONFIG_DIR.parent)
    with ExitStack() as held:
        members = []
        with stack_job_restored():
            for entry in OmegaConf.load(cfg.stack.members):
                config = member_config(entry.job, list(entry.overrides))
                callbacks = MemberJobCallbacks(config)
                context = HydraContext(
                    config_loader=GlobalHydra.instance().config_loader(),
                    callbacks=callbacks,  # type: ignore[arg-type]  (Hydra's own is internal)
                )
                task = partial(
                    prepare,
                    job=entry.job,
                    stack_dir=stack_dir,
                    ran_with=ran_with,
                    hydra_callbacks=callbacks,
                    data=next((m.data for m in members if m.data is not None), None),
                )
                done = run_job(task, config, "hydra.sweep.dir", "hydra.sweep.subdir", context)
                try:
                    prepared = done.return_value  # what `prepare` raised, raised again
                except Exception:
                    log.exception("Job %s could not be prepared; the others go on", entry.job)
                    continue
                if prepared is not None:
                    held.enter_context(prepared.run.job)  # ended by the stack's end at the latest
                    members.append(prepared)
        log.info(
            "Stack %s: jobs %s",
            stack_dir,
            ", ".join(str(m.job) for m in members) or "none to train",
        )
        members = [m for m in members if not m.run.ended]
        for member in members:
            member.run.log_here()
        if members:
            train_members(cfg, members)
    return math.nan


def train_members(cfg: DictConfig, members: list[Member]) -> None:
    """Train the assembled `members`, those that start at one point (a new run, or the step of
    their checkpoints) together."""
    starts: dict[int | None, list[Member]] = {}
    for member in members:
        step = None if member.plan.saved is None else member.plan.saved["global_step"]
        starts.setdefault(step, []).append(member)
    for together in starts.values():
        with on_gpu_slot(cfg):
            train_together(cfg, together)


def train_together(cfg: DictConfig, members: list[Member]) -> None:
    """Fit the `members` as one stack on their data and test each with its own weights
    (`test_weights`)."""
    data = members[0].data
    stacked_data = StackedData(data, [m.cfg.seed for m in members])
    for member in members:  # they share its time and memory: the report says so
        member.run.record.record["stacked"]["members"] = len(members)
    members_callback = Members([m.run for m in members])
    saved = [m.plan.saved for m in members]
    checkpoints = StackCheckpointIO(
        [m.run.run_dir for m in members],
        members_callback.state_key,
        type(data).__qualname__,
        saved=None if saved[0] is None else saved,
    )
    try:
        trainer = build_trainer(
            cfg,
            [members_callback, FastPath(cfg.channels_last)],
            loggers=[MembersLogger([m.run.loggers for m in members])],
            checkpoint_io=checkpoints,
            enable_checkpointing=False,
        )
        on_gpu = trainer.strategy.root_device.type == "cuda"
        fused = cfg.stack.fuse is True or (cfg.stack.fuse == "auto" and on_gpu)
        stack = StackedClassifier(
            [m.classifier for m in members], [m.run.random_state for m in members], fused
        )
        resumed = None if checkpoints.saved is None else checkpoints.MEMBERS
        trainer.fit(stack, datamodule=stacked_data, ckpt_path=resumed)
        for k, member in enumerate(members):
            if k in stack.tested_members:
                load_tested_weights(member)
        if stack.tested_members:
            trainer.test(stack, datamodule=stacked_data)
    except Exception as error:  # each member's, into its own bookkeeping
        for member in members:
            member.run.end(error)
        return
    for member in members:
        member.run.end()


def load_tested_weights(member: Member) -> None:
    """Give `member` the weights its solo run tests: its best epoch's (`test_weights: best`,
    where its checkpoints kept one), else its final ones."""
    best = next((c for c in member.run.callbacks if isinstance(c, ModelCheckpoint)), None)
    if member.cfg.test_weights != "best" or best is None or not best.best_model_path:
        member.run.record.testing(None)
        return
    member.run.record.testing(best.best_model_path)
    member.classifier.load_state_dict(load_checkpoint(best.best_model_path)["state_dict"])
