"""One training speed per machine on glibc: fixed malloc thresholds.

glibc's malloc raises its mmap threshold as large blocks are freed, so the heap a process trains
on depends on the order of its first allocations. On CPU the step time of the same run then
lands in one of two modes, up to 25% apart, from one process (or fit) to the next. Fixing the
thresholds, as `MALLOC_MMAP_THRESHOLD_` and `MALLOC_TRIM_THRESHOLD_` would, keeps blocks up to
32 MiB on the heap and removes the slow mode; the heap keeps up to 1 GiB it no longer uses.
"""

import ctypes
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20
"""The largest mmap threshold glibc accepts on 64-bit machines."""
TRIM_THRESHOLD = 1 << 30


def steady_malloc() -> bool:
    """Fix glibc's malloc thresholds for this process; False where malloc is not glibc's."""
    if not sys.platform.startswith("linux"):
        return False
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is None:
        return False
    mapped = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    return bool(mapped and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
