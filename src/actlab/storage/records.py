"""A run's record, `metrics.json` in its folder: its fields and statuses, read and written here
only; and the job folders of a sweep, found here only. `RunRecord` (callbacks/run_record.py) keeps
it while a run trains; bookkeeping, the sweep summary and the report read it."""

import json
import math
from enum import Enum
from pathlib import Path
from typing import Any, TypedDict

from actlab.utils.atomic import write_text_atomically

RECORD = "metrics.json"
"""The record's file name in a run folder."""

Scalar = str | int | float | bool


class Status(str, Enum):
    """How a run stands or ended; written as its value (`"ok"`), equal to it."""

    RUNNING = "running"
    OK = "ok"
    DIVERGED = "diverged"  # a result: its training loss became NaN or infinite
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # Ctrl-C or SIGTERM (scancel, a SLURM job's time limit)
    MISSING = "missing"  # the sweep summary's word for a job folder without a record

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return self.value.__format__(spec)

    @property
    def finished(self) -> bool:
        """Whether the run ran to its end: ok, or diverged."""
        return self in (Status.OK, Status.DIVERGED)


class Continued(TypedDict):
    """Where a run continued an earlier attempt: the epoch and step, and how that one ended."""

    epoch: int
    step: int
    after: str


class Tested(TypedDict):
    """Which weights a run's test metrics are of: the best validation epoch's checkpoint
    (`best`) or the final weights (`last`), and that epoch."""

    weights: str
    epoch: int | None


class Record(TypedDict, total=False):
    """metrics.json. Every key is there from the start, but `diverged` (the step, epoch and
    losses of a divergence), `stopped_early` (where early stopping ended the run) and `stacked`
    (the stack a member of a stacked sweep trained in, and its number of members)."""

    status: str  # a Status
    reason: str | None  # of a failure, a divergence or an interruption
    monitor: str  # the metric that picks the best epoch
    mode: str  # min or max
    validation: str  # what val/* is of: a split of the training data, the test set, or none
    best_epoch: int | None
    best: dict[str, float]  # the monitored metric and the validation metrics at the best epoch
    final: dict[str, float]  # the last epoch's validation metrics
    test: dict[str, float]
    tested: Tested | None
    num_params: int | None
    activation_params: int | None  # of the learnable activations, among num_params
    peak_gpu_memory_mib: float | None  # CUDA's peak allocation while training; None elsewhere
    wall_time_s: float  # every attempt's
    hparams: dict[str, Scalar]  # what tells the run apart in its sweep
    tags: list[str]
    continued: list[Continued]
    history: list[dict[str, float]]  # each epoch's metrics, its number and duration
    diverged: dict[str, Any]
    stopped_early: dict[str, Any]
    stacked: dict[str, Any]


def new_record(
    monitor: str,
    mode: str,
    hparams: dict[str, Scalar],
    tags: list[str],
    continued: list,
    validation: str = "split",
) -> Record:
    """The record of a run that starts."""
    return Record(
        status=Status.RUNNING, reason=None, monitor=monitor, mode=mode, validation=validation,
        best_epoch=None, best={},
        final={}, test={}, tested=None, num_params=None, activation_params=None,
        peak_gpu_memory_mib=None, wall_time_s=0.0, hparams=hparams, tags=tags, continued=continued,
        history=[],
    )  # fmt: skip


def read_record(run_dir: Path) -> Record | None:
    """The record in the run folder `run_dir`, or None where it has none."""
    path = run_dir / RECORD
    return json.loads(path.read_text()) if path.exists() else None


def write_record(record: Record, run_dir: Path) -> None:
    """Write `record` in `run_dir`, whole: a reader never sees half of it."""
    run_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomically(run_dir / RECORD, json.dumps(record, indent=2, allow_nan=True))


def objective(record: Record) -> float:
    """The best monitored value of a run that ended ok, else NaN: what a sweeper optimises."""
    if record["status"] != Status.OK:
        return math.nan
    return record["best"].get(record["monitor"], math.nan)


def improves(value: float, best: float | None, mode: str) -> bool:
    """Whether an epoch's monitored `value` is better than the `best` so far (None: no epoch was):
    strictly lower (`mode` min) or higher (max); a NaN never is. The one comparison that picks a
    run's best epoch, for its record and its best checkpoint alike."""
    if math.isnan(value):
        return False
    if best is None:
        return True
    return value < best if mode == "min" else value > best


def job_folders(sweep_dir: Path) -> list[Path]:
    """The job folders of a sweep: those holding a record or the overrides Hydra wrote as it
    started the job, in the order of their numbers."""
    found = {path.parent for path in sweep_dir.glob(f"*/{RECORD}")}
    found |= {path.parent.parent for path in sweep_dir.glob("*/.hydra/overrides.yaml")}
    return sorted(found, key=lambda job: (len(job.name), job.name))
