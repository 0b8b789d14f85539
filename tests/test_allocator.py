"""`steady_malloc`: blocks up to 32 MiB stay on glibc's heap; train.py applies it unless off."""

import ctypes
import subprocess
import sys

import pytest

from actlab.run.recipe import run

GLIBC_MALLINFO2 = sys.platform.startswith("linux") and hasattr(ctypes.CDLL(None), "mallinfo2")

MAPPED_BYTES_OF_A_16_MIB_BLOCK = """
import ctypes, sys
from actlab.utils.allocator import steady_malloc
class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = MallInfo2
libc.malloc.restype = ctypes.c_void_p
if sys.argv[1] == "steady":
    assert steady_malloc()
before = libc.mallinfo2().hblkhd
libc.malloc(16 << 20)
print(libc.mallinfo2().hblkhd - before)
"""


def mapped_bytes(mode: str) -> int:
    """Bytes glibc mmaps for one 16 MiB malloc in a fresh process, `steady` or `default`."""
    command = [sys.executable, "-c", MAPPED_BYTES_OF_A_16_MIB_BLOCK, mode]
    return int(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


@pytest.mark.skipif(not GLIBC_MALLINFO2, reason="needs glibc 2.33+")
def test_a_large_block_comes_from_the_heap_once_steady() -> None:
    assert mapped_bytes("default") >= 16 << 20  # glibc's default threshold: 128 KiB
    assert mapped_bytes("steady") == 0


@pytest.mark.parametrize("steady", [True, False])
def test_train_applies_it_first_unless_switched_off(
    compose_run, monkeypatch: pytest.MonkeyPatch, steady: bool
) -> None:
    calls = []
    monkeypatch.setattr("actlab.run.recipe.steady_malloc", lambda: calls.append(True))
    cfg = compose_run("data=mnist", f"steady_malloc={steady}")  # no MNIST here: fails early
    with pytest.raises(FileNotFoundError):
        run(cfg)
    assert calls == ([True] if steady else [])
