"""What a multirun leaves: a table of its jobs, and a failed exit when any job failed."""

import logging
import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from actlab.storage.folders import lock_of
from actlab.storage.records import Status, job_folders, read_record
from actlab.utils.locks import waiting_for

log = logging.getLogger(__name__)


def job_results(sweep_dir: Path) -> list[dict[str, Any]]:
    """Each job of the sweep: its overrides and outcome (status missing without a record), once
    it is over: a job that another command trains is waited for."""
    results = []
    for job in job_folders(sweep_dir):
        with waiting_for(lock_of(job), f"the command that trains job {job.name}"):
            pass
        record = read_record(job) or {}
        overrides = job / ".hydra" / "overrides.yaml"
        results.append(
            {
                "job": job.name,
                "overrides": " ".join(OmegaConf.load(overrides)) if overrides.exists() else "",
                "status": record.get("status", Status.MISSING),
                "reason": record.get("reason"),
                "monitor": record.get("monitor"),
                "best": record.get("best", {}).get(record.get("monitor")),
                "test_acc": record.get("test", {}).get("test/acc"),
            }
        )
    return results


def format_table(results: list[dict[str, Any]]) -> str:
    """A plain-text table of the jobs, one line each."""

    def number(value: float | None) -> str:
        return "-" if value is None else f"{value:.4f}"

    monitor = next((r["monitor"] for r in results if r["monitor"]), "best")
    rows = [("job", "status", f"best {monitor}", "test acc", "overrides")]
    rows += [
        (r["job"], r["status"], number(r["best"]), number(r["test_acc"]), r["overrides"])
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]])
        for row in rows
    )


class SweepSummary(Callback):
    """After a multirun, logs each job's status and result, and fails if any job failed.

    Jobs record their own failures in `metrics.json` and let the sweep go on; this is where the
    sweep as a whole reports them, by name, and exits non-zero. It exits with `SystemExit`, the one
    exception Hydra does not turn into a warning when a callback raises it.
    """

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        results = job_results(sweep_dir)
        log.info("Sweep %s:\n%s", sweep_dir, format_table(results))
        failed = [r for r in results if not Status(r["status"]).finished]
        if failed:
            sys.exit(
                f"{len(failed)} of {len(results)} jobs failed in {sweep_dir}:\n"
                + failure_reasons(failed)
            )


def failure_reasons(failed: list[dict[str, Any]]) -> str:
    """Each distinct way that jobs failed, said once, with the jobs that failed so under it."""
    by_reason: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
    for result in failed:
        by_reason.setdefault((result["status"], result["reason"]), []).append(result)
    return "\n".join(
        f"{status}: {reason}\n" + "\n".join(f"  job {r['job']} [{r['overrides']}]" for r in results)
        for (status, reason), results in by_reason.items()
    )
