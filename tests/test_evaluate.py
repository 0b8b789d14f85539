"""`python eval.py ckpt_path=...`: a run's checkpoint tested again, from the run's own config."""

import json
from pathlib import Path

import pytest
from helpers import FAST, TINY_MODEL, run_cli

BREAST_CANCER = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST]


@pytest.mark.slow
def test_eval_reproduces_the_test_metrics_of_the_run(tmp_path: Path) -> None:
    trained = run_cli(*BREAST_CANCER, "activation=prelu", "hydra.run.dir=run", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    (best,) = (tmp_path / "run" / "checkpoints").glob("epoch_*.ckpt")
    result = run_cli(f"ckpt_path={best}", "hydra.run.dir=eval", cwd=tmp_path, script="eval.py")
    assert result.returncode == 0, result.stderr
    expected = json.loads((tmp_path / "run" / "metrics.json").read_text())["test"]
    evaluated = json.loads((tmp_path / "eval" / "eval.json").read_text())
    assert evaluated["ckpt_path"] == str(best)
    assert set(evaluated["test"]) == set(expected) and "test/f1" in expected
    for name, value in expected.items():
        assert evaluated["test"][name] == pytest.approx(value, abs=1e-6), name


@pytest.mark.slow
def test_a_checkpoint_that_does_not_exist_is_named(tmp_path: Path) -> None:
    result = run_cli("ckpt_path=nowhere.ckpt", cwd=tmp_path, script="eval.py")
    assert result.returncode == 1
    assert "ckpt_path=nowhere.ckpt is not a file" in result.stderr


@pytest.mark.slow
def test_a_checkpoint_outside_a_run_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "loose.ckpt").write_bytes(b"")
    result = run_cli(f"ckpt_path={tmp_path / 'loose.ckpt'}", cwd=tmp_path, script="eval.py")
    assert result.returncode == 1
    assert "must be a checkpoint inside a run directory" in result.stderr
