"""A real one-node SLURM cluster for the tests of this folder (cluster.sh): started once for the
session where it can be (root, apt-get or SLURM installed), stopped after it if the tests started
it; where it cannot be started, each test is skipped with the reason."""

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

CLUSTER = Path(__file__).parent / "cluster.sh"
CANNOT_START = 2
"""cluster.sh's exit status where no cluster can be started here (not root, no package manager)."""


@pytest.fixture(scope="session")
def slurm_cluster() -> Iterator[str]:
    """SLURM_CONF of a running one-node cluster, set for the session's processes too."""
    was_running = subprocess.run(["bash", str(CLUSTER), "status"]).returncode == 0
    started = subprocess.run(
        ["bash", str(CLUSTER), "start"], capture_output=True, text=True, timeout=900
    )
    if started.returncode == CANNOT_START:
        pytest.skip(f"no SLURM cluster here: {started.stderr.strip()} (tests/slurm/cluster.sh)")
    assert started.returncode == 0, f"cluster.sh start failed:\n{started.stdout}{started.stderr}"
    conf = started.stdout.strip().splitlines()[-1].removeprefix("export SLURM_CONF=")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SLURM_CONF", conf)
        yield conf
    if not was_running:
        subprocess.run(["bash", str(CLUSTER), "stop"], check=True, timeout=120)


@pytest.fixture
def slurm(slurm_cluster: str) -> Iterator[str]:
    """The cluster, with none of this test's jobs left in it after the test."""
    yield slurm_cluster
    subprocess.run(["scancel", f"--user={os.getuid()}", "--name=train"], check=False)
