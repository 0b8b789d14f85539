"""Which GPU a sweep's job trains on, when the jobs run side by side (`placement=gpus`)."""

import itertools
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import torch
from filelock import FileLock, Timeout

log = logging.getLogger(__name__)


def gpu_list(devices: Sequence[int] | None) -> list[int]:
    """`devices`, or every GPU that this process sees."""
    return list(devices) if devices is not None else list(range(torch.cuda.device_count()))


def gpu_jobs(per_gpu: int, devices: Sequence[int] | None) -> int:
    """How many jobs run side by side: `per_gpu` on each GPU (at least one job)."""
    return max(1, per_gpu * len(gpu_list(devices)))


class GPUSlots:
    """`per_gpu` slots on each GPU of `devices` (every visible one when None), shared by the jobs
    of one sweep through one lock file per slot in `folder`. The launcher runs as many jobs at
    once as there are slots (`gpu_jobs`); each job holds a slot while it trains, and its lock goes
    with the job's process, so a job that fails or is killed frees its slot. Slots are taken GPU
    by GPU before a second one on any GPU: jobs spread over the GPUs first."""

    def __init__(self, folder: str, per_gpu: int = 1, devices: Sequence[int] | None = None):
        self.folder = Path(folder)
        self.per_gpu = per_gpu
        self.devices = gpu_list(devices)

    @contextmanager
    def claim(self, poll_s: float = 0.5) -> Iterator[int]:
        """Hold a free slot while the block runs; the GPU it is on. Waits where every slot is
        held (another sweep's jobs in the same folder)."""
        if not self.devices:
            raise RuntimeError("placement=gpus needs a GPU, and this process sees none")
        self.folder.mkdir(parents=True, exist_ok=True)
        slots = [(gpu, slot) for slot in range(self.per_gpu) for gpu in self.devices]
        for attempt in itertools.count():
            for gpu, slot in slots:
                lock = FileLock(self.folder / f"gpu{gpu}.slot{slot}.lock")
                try:
                    lock.acquire(timeout=0)
                except Timeout:
                    continue
                try:
                    log.info("On GPU %d (slot %d of %d)", gpu, slot + 1, self.per_gpu)
                    yield gpu
                finally:
                    lock.release()
                return
            if attempt == 0:
                log.info("Every GPU slot in %s is held: waiting for one", self.folder)
            time.sleep(poll_s)
