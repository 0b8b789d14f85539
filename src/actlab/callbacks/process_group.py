"""LeaveProcessGroup: each DDP process leaves its process group before Python's own exit."""

import atexit

import lightning as L
import torch


def leave_process_group() -> None:
    """Destroys this process's default process group, if it has one."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


class LeaveProcessGroup(L.Callback):
    """Has each DDP process destroy its process group at exit, while the interpreter is still
    whole. Lightning does so for NCCL only; over gloo (trainer=ddp_sim, DDP on CPUs) the group's
    worker threads otherwise meet the interpreter's teardown, which can abort a process that
    finished its work ("terminate called without an active exception", pytorch#190489), and
    with it the job. Every run has one; it does nothing outside DDP."""

    def setup(self, trainer: L.Trainer, pl_module: L.LightningModule, stage: str) -> None:
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            atexit.unregister(leave_process_group)  # once, however many stages ran
            atexit.register(leave_process_group)
