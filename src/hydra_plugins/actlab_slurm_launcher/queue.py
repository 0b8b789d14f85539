"""The states of a sweep's SLURM jobs, from `squeue`: what a cluster without job accounting
(where `sacct` fails) still answers."""

import logging
import subprocess
from collections.abc import Iterable

log = logging.getLogger(__name__)

WAITING = frozenset(
    {
        *("PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "SIGNALING"),
        *("REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "STAGE_OUT"),
    }
)
"""squeue's states of a job that is still to run, or running (it may yet write a result)."""

GONE = "GONE"
"""The state of a job that squeue no longer lists: it ended longer ago than the cluster keeps
ended jobs (MinJobAge)."""


def job_states(job_ids: Iterable[str]) -> dict[str, str] | None:
    """The state of each of `job_ids` (array tasks as `<array>_<task>`), `GONE` for those squeue
    no longer lists; None when squeue could not be asked (the controller did not answer)."""
    job_ids = list(job_ids)
    arrays = sorted({job_id.split("_")[0] for job_id in job_ids})
    command = ["squeue", "--noheader", "--array", "--states=all", "--format=%i|%T"]
    try:
        answer = subprocess.run(
            [*command, f"--jobs={','.join(arrays)}"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        log.warning("squeue did not answer (%s): asking again", error)
        return None
    if answer.returncode != 0:
        if "Invalid job id" in answer.stderr:  # none of them is listed any more
            return dict.fromkeys(job_ids, GONE)
        log.warning("squeue failed (%s): asking again", answer.stderr.strip())
        return None
    listed = dict(line.split("|", 1) for line in answer.stdout.split() if "|" in line)
    return {job_id: listed.get(job_id, GONE) for job_id in job_ids}
