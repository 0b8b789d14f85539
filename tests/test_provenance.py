"""Each run records what it ran with: package versions and the git commit of the code."""

import json
import subprocess
from pathlib import Path

import torch
from helpers import FAST, REPO, TINY_MODEL

from actlab.run.recipe import run
from actlab.utils.provenance import git_state


def test_a_run_records_its_package_versions_and_commit(compose_run, tmp_path: Path) -> None:
    run(compose_run("data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST))
    record = json.loads((tmp_path / "run" / "provenance.json").read_text())
    assert torch.__version__.startswith(record["packages"]["torch"])  # without "+cu130"
    assert set(record["packages"]) >= {"lightning", "hydra-core", "torchmetrics", "actlab"}
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True)
    assert record["git"]["commit"] == head.stdout.strip()
    assert isinstance(record["git"]["dirty"], bool)


def test_outside_a_git_checkout_the_commit_is_unknown(tmp_path: Path) -> None:
    assert git_state(tmp_path) == {"commit": None, "dirty": None}


def test_a_change_to_a_tracked_file_makes_the_checkout_dirty(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "code.py").write_text("a = 1\n")
    git("add", "code.py")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "first")
    assert git_state(tmp_path)["dirty"] is False
    (tmp_path / "code.py").write_text("a = 2\n")
    assert git_state(tmp_path)["dirty"] is True
