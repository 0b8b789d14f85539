"""`SlurmLauncher`: Hydra's submitit SLURM launcher, with jobs that survive their time limit and
a sweep that survives its jobs."""

import logging
import math
import os
import signal
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hydra.core.singleton import Singleton
from hydra.core.utils import JobReturn, JobStatus, filter_overrides
from hydra_plugins.hydra_submitit_launcher.config import BaseQueueConf
from hydra_plugins.hydra_submitit_launcher.submitit_launcher import (
    SlurmLauncher as SubmititSlurmLauncher,
)
from omegaconf import OmegaConf

from hydra_plugins.actlab_slurm_launcher.queue import WAITING, job_states

log = logging.getLogger(__name__)

GRACE_S = 15.0
"""How long a job that left the queue may take to show its result file (a shared disk's cache)."""


@contextmanager
def stopping_for_requeue() -> Iterator[None]:
    """While a job's run trains, SLURM's signal before its time limit (submitit's, USR2 unless
    SUBMITIT_PREEMPT_SIGNAL says otherwise) stops the run at its next step, as SIGTERM does:
    Lightning's handler raises there, the state is saved in checkpoints/interrupted.ckpt and the
    run recorded as interrupted. Then submitit's own handler requeues the job, or ends it when it
    has timed out `max_num_timeout` times. Outside training (before fit, while testing ends), the
    job is requeued at once, to continue from its last checkpoint.

    Submitit owns the signal and the requeue, not Lightning's SLURM auto-requeue (turned off in
    the run, `actlab.sweep.slurm`): it put the signal in the job's sbatch script, it counts timeouts
    apart from preemptions, and it reruns the job's Hydra call as it was submitted."""
    import submitit  # here, as in Hydra's launcher: plugin discovery stays fast

    signum = getattr(signal, f"SIG{submitit.JobEnvironment.USR_SIG}")
    requeue = signal.getsignal(signum)  # submitit's: checkpoint the call, requeue it, exit
    outside_training = signal.getsignal(signal.SIGTERM)  # submitit's: logs it, nothing more
    received: list[int] = []

    def stop(sig: int, frame: Any) -> None:
        if signal.getsignal(signal.SIGTERM) == outside_training:
            log.warning("SLURM's signal before the time limit, outside training: requeued now")
            requeue(sig, frame)
            return
        log.warning("SLURM's signal before the time limit: the run stops at its next step")
        received.append(sig)
        signal.raise_signal(signal.SIGTERM)

    signal.signal(signum, stop)
    try:
        yield
    except SystemExit:  # the run stopped as SIGTERM stops it (status 143)
        if received:
            requeue(signum, None)
        raise
    finally:
        signal.signal(signum, requeue)


def wait_for(jobs: Sequence[Any]) -> dict[str, str]:
    """Wait until each of the submitit `jobs` has written its result or left SLURM's queue; the
    state each ended in, as squeue last listed it (`COMPLETED` for those with a result). Asks
    squeue, never sacct: states stay right on clusters without job accounting."""
    ended: dict[str, str] = {}
    left_at: dict[str, float] = {}
    delay = 1.0
    while True:
        for job in jobs:
            if job.job_id not in ended and job.paths.result_pickle.exists():
                ended[job.job_id] = "COMPLETED"
        waiting = [job.job_id for job in jobs if job.job_id not in ended]
        if not waiting:
            return ended
        now = time.monotonic()
        for job_id, state in (job_states(waiting) or {}).items():
            if state not in WAITING and now - left_at.setdefault(job_id, now) > GRACE_S:
                ended[job_id] = state  # it left the queue, and no result came
        time.sleep(delay)
        delay = min(delay * 1.5, 10.0)


class SlurmLauncher(SubmititSlurmLauncher):
    """Every job of a sweep as a task of one SLURM job array (Hydra's submitit launcher), where:
    - a job signalled before its time limit stops at its next step and is requeued, and the
      requeued job continues its run from its own checkpoint (`stopping_for_requeue`);
    - the sweep waits for its jobs through squeue (`wait_for`): no sacct error at every poll;
    - a job that ended without a result (cancelled, killed, timed out too often) is said so, by
      job and SLURM state, and answers NaN as a failed run does: the other jobs' results and the
      sweep's summary stay."""

    def __call__(self, *args: Any, **kwargs: Any) -> JobReturn:
        with stopping_for_requeue():
            return super().__call__(*args, **kwargs)

    def launch(
        self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int
    ) -> Sequence[JobReturn]:
        jobs = self.submit(job_overrides, initial_job_idx)
        array = jobs[0].job_id.split("_")[0]
        log.info(
            "Waiting for the %d jobs of SLURM job array %s (job states from squeue alone: sacct "
            "is not asked, it fails on clusters without job accounting)", len(jobs), array,
        )  # fmt: skip
        states = wait_for(jobs)
        returns = []
        for number, (job, overrides) in enumerate(zip(jobs, job_overrides, strict=True)):
            returned = job_return(job)
            if returned is None:
                log.error(
                    "Job %d (SLURM job %s) ended %s without a result; its log: %s",
                    initial_job_idx + number, job.job_id, states[job.job_id], job.paths.stderr,
                )  # fmt: skip
                returned = JobReturn(
                    overrides=list(overrides), status=JobStatus.COMPLETED, _return_value=math.nan
                )
            returns.append(returned)
        return returns

    def submit(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> list[Any]:
        """Submit the jobs as one array, as Hydra's submitit launcher does; their submitit jobs."""
        import submitit

        assert self.config is not None
        executor = submitit.AutoExecutor(
            cluster=self._EXECUTOR,
            folder=self.params["submitit_folder"],
            slurm_max_num_timeout=self.params["max_num_timeout"],
        )
        shared = set(OmegaConf.structured(BaseQueueConf).keys())
        executor.update_parameters(
            **{
                name if name in shared else f"{self._EXECUTOR}_{name}": value
                for name, value in self.params.items()
                if name not in ("submitit_folder", "max_num_timeout")
            }
        )
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        log.info("Submitit '%s' sweep output dir : %s", self._EXECUTOR, sweep_dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        if "mode" in self.config.hydra.sweep:
            os.chmod(sweep_dir, mode=int(str(self.config.hydra.sweep.mode), 8))
        calls = []
        for number, overrides in enumerate(job_overrides, start=initial_job_idx):
            log.info("\t#%d : %s", number, " ".join(filter_overrides(overrides)))
            call = (list(overrides), "hydra.sweep.dir", number, f"job_id_for_{number}")
            calls.append((*call, Singleton.get_state()))
        return executor.map_array(self, *zip(*calls, strict=True))


def job_return(job: Any) -> JobReturn | None:
    """What the submitit `job` returned, or None where it wrote no result, or an error (submitit
    ended it: timed out too many times; or the job's process failed outside the run)."""
    if not job.paths.result_pickle.exists():
        return None
    try:
        return job.results()[0]
    except Exception as error:
        log.error("SLURM job %s failed: %s", job.job_id, str(error).strip().splitlines()[-1])
        return None
