"""A sweep's runs as a table, and their per-epoch curves from TensorBoard's event files."""

import bisect
import statistics
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pandas as pd
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from actlab.loggers.tensorboard import tensorboard_tag
from actlab.storage.records import Record, job_folders, read_record

CURVE_TAGS = ("val/loss", "val/f1", "val/acc", "train/loss", "val/last_batch_f1")
"""The per-epoch scalars a report reads and plots, where the runs logged them (the last
validation batch's F1 with callbacks last_batch_scores: what S1 plotted)."""

AREAS = ("val/loss", "train/loss")
"""The curves whose area a report gives (`val_loss_area`, `train_loss_area`): the sum of their
per-epoch values, one unit per epoch; S2 compares how fast runs converge by it."""

EPOCH = tensorboard_tag("epoch")
"""Lightning's epoch counter, as actlab's TensorBoard logger files it."""


def event_folder(run_dir: Path) -> Path | None:
    """The folder of a run's TensorBoard event files, if it logged any: `tensorboard/`, or in a
    sweep the job's folder named by what varies (`tensorboard/<what varies>/` in sweeps of
    earlier versions)."""
    found = sorted(run_dir.rglob("events.out.tfevents.*"))
    return found[0].parent if found else None


def curve_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Curve points as a frame with typed columns, empty or not."""
    frame = pd.DataFrame(rows, columns=["epoch", "tag", "value"])
    return frame.astype({"epoch": "int64", "tag": "str", "value": "float64"})


def curves(run_dir: Path, history: list[dict[str, Any]]) -> pd.DataFrame:
    """Per-epoch curves (`CURVE_TAGS`) of one run, long form: columns epoch, tag, value.

    Read from the run's TensorBoard events, so a run still training shows its epochs so far; from
    the `history` of its metrics.json when it logged no TensorBoard events (logger=none).
    """
    events_dir = event_folder(run_dir)
    if events_dir is None:
        rows = [
            {"epoch": epoch["epoch"], "tag": tag, "value": epoch[tag]}
            for tag in CURVE_TAGS
            for epoch in history
            if tag in epoch
        ]
        return curve_frame(rows)
    events = EventAccumulator(str(events_dir), size_guidance={"scalars": 0})
    events.Reload()
    available = set(events.Tags()["scalars"])
    counter = events.Scalars(EPOCH) if EPOCH in available else []
    starts, epochs = [event.step for event in counter], [int(event.value) for event in counter]

    def epoch_of(step: int, index: int) -> int:
        """The epoch of a point at `step`: the counter's last value at or before it (the counter
        is written with each epoch's first curve point); else the point's `index`."""
        at = bisect.bisect_right(starts, step)
        return epochs[at - 1] if at else index

    rows = [
        {"epoch": epoch_of(event.step, index), "tag": tag, "value": event.value}
        for tag in CURVE_TAGS
        if tag in available
        for index, event in enumerate(events.Scalars(tag))
    ]
    return curve_frame(rows)


def stack_of(record: Record) -> str | None:
    """The stack a run trained in as a member of a stacked sweep (`stacks/<i>`), None if alone."""
    stack = record.get("stacked", {}).get("stack")
    return None if stack is None else "/".join(Path(stack).parts[-2:])


def run_row(record: Record, sweep: str, job: str, run_curves: pd.DataFrame) -> dict[str, Any]:
    """One run's metrics.json `record` as a flat row: its hyper-parameters, status, which weights
    it tested, its costs (parameters, the median time of its epochs, peak GPU memory; the stack it
    trained in, if any, and that stack's number of members), best, last and test metrics, and the
    area under its loss curves (`AREAS`)."""
    row: dict[str, Any] = {"sweep": sweep, "job": job, **record["hparams"]}
    tested = record.get("tested") or {}
    times = [epoch["epoch_time_s"] for epoch in record["history"] if "epoch_time_s" in epoch]
    row |= {
        "status": record["status"],
        "reason": record["reason"],
        "monitor": record["monitor"],
        "mode": record.get("mode"),
        "validation": record.get("validation"),
        "epochs": len(record["history"]),
        "best_epoch": record["best_epoch"],
        "tested": tested.get("weights"),
        "tested_epoch": tested.get("epoch"),
        "num_params": record["num_params"],
        "activation_params": record.get("activation_params"),
        "epoch_time_s": statistics.median(times) if times else None,
        "peak_gpu_memory_mib": record.get("peak_gpu_memory_mib"),
        "wall_time_s": record["wall_time_s"],
        "stopped_early_epoch": record.get("stopped_early", {}).get("epoch"),
        "stacked": stack_of(record),
        "stack_members": record.get("stacked", {}).get("members"),
    }
    row |= {f"best_{name}": value for name, value in record["best"].items()}
    row |= {f"last_{name}": value for name, value in record["final"].items()}
    row |= dict(record["test"])
    for tag in AREAS:
        losses = run_curves.loc[run_curves.tag == tag, "value"]
        row[f"{tag.replace('/', '_')}_area"] = losses.sum() if len(losses) else None
    return row


def load_runs(
    sweep_dirs: list[Path], tags: Collection[str] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every started run of every sweep (with `tags`, those tagged with all of them; never a debug
    run), one row each, and all their curves (long form, with the run's `sweep` and `job`)."""
    rows, all_curves = [], []
    for sweep_dir in sweep_dirs:
        for run_dir in job_folders(sweep_dir):
            record = read_record(run_dir)
            if record is None:  # not started
                continue
            if "debug" in record["hparams"] or not set(tags) <= set(record.get("tags", [])):
                continue  # debug runs (debug=...) are never reported
            run_curves = curves(run_dir, record["history"])
            rows.append(run_row(record, sweep_dir.name, run_dir.name, run_curves))
            all_curves.append(run_curves.assign(sweep=sweep_dir.name, job=run_dir.name))
    if not rows:
        tagged = f" tagged {', '.join(tags)}" if tags else ""
        raise FileNotFoundError(
            f"no runs{tagged} (job folders with metrics.json, debug runs left out) in "
            + ", ".join(map(str, sweep_dirs))
        )
    return pd.DataFrame(rows), pd.concat(all_curves, ignore_index=True)
