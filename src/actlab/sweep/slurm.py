"""What a run does differently as a SLURM job: a job that SLURM requeued (after its time limit, a
preemption, a node's failure) continues its run in its folder, and Lightning's own SLURM
auto-requeue stays off, because the launcher's submitit owns the signal and the requeue
(`hydra/launcher=slurm`: src/hydra_plugins/actlab_slurm_launcher/)."""

import os

from lightning.fabric.plugins.environments import SLURMEnvironment


def requeued() -> bool:
    """Whether SLURM started this job again after an earlier attempt (SLURM_RESTART_COUNT)."""
    return int(os.environ.get("SLURM_RESTART_COUNT") or 0) > 0


def slurm_plugins() -> list[SLURMEnvironment]:
    """The trainer's plugins under SLURM: SLURM's process environment (ranks, the master
    address) without Lightning's auto-requeue; none elsewhere."""
    return [SLURMEnvironment(auto_requeue=False)] if SLURMEnvironment.detect() else []
