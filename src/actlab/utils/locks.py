"""File locks between processes (`filelock`): jobs of a sweep, SLURM tasks on a shared disk, or
separate commands. A lock goes with the process that holds it, also when it is killed."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout

log = logging.getLogger(__name__)


@contextmanager
def waiting_for(lock: FileLock, holder: str) -> Iterator[None]:
    """Hold `lock` while the block runs; where another process holds it (`holder`, as said in
    the log), wait for it."""
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log.info("Waiting for %s (%s)", holder, lock.lock_file)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


@contextmanager
def unless_taken(lock: FileLock) -> Iterator[bool]:
    """Whether this process holds `lock` while the block runs: False where another one does."""
    try:
        lock.acquire(timeout=0)
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
