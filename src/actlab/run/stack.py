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
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import lightning as L
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.core.utils import JobReturn, configure_log, run_job
from hydra.experimental.callback import Callback
from hydra.types import HydraContext, RunMode
from hydra.utils import instantiate
from lightning.pytorch.callbacks import (
    LearningRateMonitor,
    ModelCheckpoint,
    ModelSummary,
    ProgressBar,
)
from lightning.pytorch.loggers import Logger
from omegaconf import DictConfig, OmegaConf, read_write

from actlab.callbacks.fast_path import FastPath
from actlab.callbacks.members import MemberRates, for_member
from actlab.callbacks.process_group import LeaveProcessGroup
from actlab.callbacks.random_state import RandomState
from actlab.callbacks.run_record import RunRecord
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
    """A run of a stack, prepared in its own job (`prepare`): its job number, config and the log
    Hydra opened for it; `job`, what ends with it (its solo run's bookkeeping, which planned how
    it starts, `plan`, and keeps its `record`), closed as it ends (`end`), and `job_ended`, told
    its best value then; once assembled (`assemble_member`), its classifier, data (the stack's,
    which the first member built), loggers, callbacks and random state."""

    number: int
    cfg: DictConfig
    log_file: str | None
    job: ExitStack = field(default_factory=ExitStack, repr=False)
    job_ended: Callable[[float], None] | None = field(default=None, repr=False)
    plan: ResumePlan | None = None
    record: RunRecord | None = None
    classifier: Classifier | None = None
    data: InMemoryDataModule | None = None
    loggers: list[Logger] = field(default_factory=list)
    callbacks: list[L.Callback] = field(default_factory=list)
    random_state: dict[str, Any] | None = None
    log_handler: logging.Handler | None = field(default=None, repr=False)
    ended: bool = False

    @property
    def run_dir(self) -> Path:
        return Path(self.cfg.paths.output_dir)

    def log_here(self) -> None:
        """Log what the stack logs into the member's own log too, until it has ended (`end`)."""
        if self.log_file is None:
            return
        handler = logging.FileHandler(self.log_file)
        stack_file = next(
            (h for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)), None
        )
        if stack_file is not None:
            handler.setFormatter(stack_file.formatter)
        logging.getLogger().addHandler(handler)
        self.log_handler = handler

    def end(self, error: BaseException | None = None) -> None:
        """End the run: `error` raised into its bookkeeping, which records it as a solo run's
        (diverged, failed), or ok (None); then `job_ended` is told its best monitored value (NaN
        unless it ended ok)."""
        if self.ended:
            return
        self.ended = True
        if error is None:
            self.job.close()
        else:
            self.job.__exit__(type(error), error, error.__traceback__)
        if self.log_handler is not None:  # after its bookkeeping's last line
            logging.getLogger().removeHandler(self.log_handler)
            self.log_handler.close()
        if self.job_ended is not None:
            self.job_ended(self.record.objective if self.record is not None else math.nan)


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
    member = Member(job, cfg, logs[0].baseFilename if logs else None)
    kept = member.job.enter_context(bookkeeping(cfg, ran_with))
    if kept is None or kept.record is None:  # another command's, or finished: its job ends
        member.job.close()
        hydra_callbacks.job_ended(math.nan if kept is None else kept.objective)
        return None
    member.plan, member.record, member.job_ended = kept.plan, kept.record, hydra_callbacks.job_ended
    log.info("Trained in the stack %s", stack_dir)
    member.record.record["stacked"] = {"stack": str(stack_dir)}
    try:
        check_accelerator(cfg)
        assemble_member(member, data)
    except Exception as error:
        member.end(error)
    return member


STACK_OWN = (ProgressBar, ModelSummary, RandomState, FastPath, LeaveProcessGroup)
"""A run's callbacks that its stack has for all its members: what it shows, the random state (each
member's own: `StackedClassifier`), the fast path, the process group."""


def assemble_member(member: Member, data: InMemoryDataModule | None) -> None:
    """Assemble `member` as its solo run is assembled (`assemble`), on `data` where the stack has
    built its data already; keep its classifier, data, random state as its solo run starts,
    loggers (its record's summary to them) and callbacks (those of `STACK_OWN` left to the stack;
    Lightning's default checkpoint where its solo run has it)."""
    parts = assemble(member.cfg, member.plan, data)
    member.classifier, member.data = parts.classifier, parts.datamodule
    member.random_state = random_state(member.cfg.seed)
    member.loggers = member.record.loggers = parts.loggers
    own = [c for c in parts.callbacks if not isinstance(c, STACK_OWN)]
    checkpoints = member.cfg.trainer.get("enable_checkpointing", True)
    if checkpoints and not any(isinstance(c, ModelCheckpoint) for c in own):
        own.append(ModelCheckpoint(default_checkpoint_dir(parts.loggers, member.run_dir)))
    member.callbacks = logged_to(parts.loggers, own)


def default_checkpoint_dir(loggers: list[Logger], run_dir: Path) -> Path:
    """Where Lightning's default checkpoint saves a solo run with `loggers` in `run_dir`: its
    first logger's version folder, else the run folder. (Lightning resolves it from the Trainer's
    first logger, and a stack's Trainer has one for all its members: `ModelCheckpoint` has no
    public way to say a logger's folder, so it is resolved here as its `__resolve_ckpt_dir`
    resolves it.)"""
    if not loggers:
        return run_dir / "checkpoints"
    logger = loggers[0]
    version = logger.version if isinstance(logger.version, str) else f"version_{logger.version}"
    return Path(logger.save_dir or run_dir, str(logger.name), version, "checkpoints")


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
                    held.enter_context(prepared.job)  # ended by the stack's end at the latest
                    members.append(prepared)
        log.info(
            "Stack %s: jobs %s",
            stack_dir,
            ", ".join(str(m.number) for m in members) or "none to train",
        )
        members = [m for m in members if not m.ended]
        for member in members:
            member.log_here()
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
        member.record.record["stacked"]["members"] = len(members)
    saved = [m.plan.saved for m in members]
    checkpoints = StackCheckpointIO(
        [m.run_dir for m in members],
        type(data).__qualname__,
        saved=None if saved[0] is None else saved,
    )
    rates = [
        next((c for c in m.callbacks if isinstance(c, LearningRateMonitor)), None) for m in members
    ]
    callbacks = [
        for_member(callback, k)
        for k, member in enumerate(members)
        for callback in [member.record, *member.callbacks]
        if not isinstance(callback, LearningRateMonitor)
    ]
    try:
        trainer = build_trainer(
            cfg,
            [FastPath(cfg.channels_last), MemberRates(rates), *callbacks],
            loggers=[MembersLogger([m.loggers for m in members])],
            checkpoint_io=checkpoints,
            enable_checkpointing=any(isinstance(c, ModelCheckpoint) for c in callbacks),
        )
        on_gpu = trainer.strategy.root_device.type == "cuda"
        fused = cfg.stack.fuse is True or (cfg.stack.fuse == "auto" and on_gpu)
        stack = StackedClassifier(
            [m.classifier for m in members],
            [m.random_state for m in members],
            fused,
            on_leave=lambda k, error: members[k].end(error),
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
            member.end(error)
        return
    for member in members:
        member.end()


def load_tested_weights(member: Member) -> None:
    """Give `member` the weights its solo run tests: its best epoch's (`test_weights: best`,
    where its checkpoints kept one), else its final ones."""
    best = next((c for c in member.callbacks if isinstance(c, ModelCheckpoint)), None)
    if member.cfg.test_weights != "best" or best is None or not best.best_model_path:
        member.record.testing(None)
        return
    member.record.testing(best.best_model_path)
    member.classifier.load_state_dict(load_checkpoint(best.best_model_path)["state_dict"])
