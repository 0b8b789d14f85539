"""A real tiny sweep, shared by the report's and the notebook's tests."""

from pathlib import Path

import pytest
from helpers import FAST, TINY_MODEL, run_cli


@pytest.fixture(scope="session")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real sweep: 3 activations x 2 seeds, 2 epochs each, of the tiny breast-cancer MLP."""
    root = tmp_path_factory.mktemp("sweep")
    result = run_cli(
        "-m", "data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST,
        "activation=relu,tanh,sigmoid", "seed=1,2", "hydra.sweep.dir=grid", cwd=root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return root / "grid"
