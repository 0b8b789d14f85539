"""LeaveProcessGroup: a DDP process leaves its process group as Python exits, before the
interpreter's teardown (over gloo, a group left to it can abort a process that finished)."""

import subprocess
import sys
from pathlib import Path

import pytest

PROCESS = """
import atexit, sys
import torch.distributed as dist
from actlab.callbacks.process_group import LeaveProcessGroup

atexit.register(lambda: print("group at the end of exit:", dist.is_initialized()))
dist.init_process_group("gloo", init_method="file://" + sys.argv[1], rank=0, world_size=1)
for stage in ("fit", "test"):  # one process, two stages: left once
    LeaveProcessGroup().setup(None, None, stage)
print("group before exit:", dist.is_initialized())
"""


@pytest.mark.slow  # a process of its own
def test_a_ddp_process_leaves_its_process_group_when_it_exits(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROCESS, str(tmp_path / "store")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "group before exit: True",
        "group at the end of exit: False",
    ]
