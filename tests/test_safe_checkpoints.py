"""Checkpoints are read with torch's safe loader only: one crafted to run code when unpickled is
refused by every entry point, and nothing in it runs; actlab's own checkpoints load safely."""

import json
from pathlib import Path

import pytest
import torch
from helpers import FAST, TINY_MODEL, run_cli
from hydra.utils import instantiate
from omegaconf import OmegaConf

from actlab.cli.plot_activations import checkpoint_panels
from actlab.config.build import build_classifier
from actlab.run.evaluation import evaluate
from actlab.run.recipe import run
from actlab.utils.errors import CheckpointError

RUN = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST]


class Payload:
    """Unpickled, it creates the file `marker`: the stand-in for any code an attacker runs."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return open, (str(self.marker), "w")


@pytest.fixture
def crafted(compose_run, tmp_path: Path) -> tuple[Path, Path]:
    """A finished run whose last.ckpt was replaced by a crafted one (a real checkpoint with a
    payload added); the checkpoint, and the file its payload would create."""
    cfg = compose_run(*RUN, "activation=prelu")
    run(cfg)
    run_dir = tmp_path / "run"
    (run_dir / ".hydra").mkdir(exist_ok=True)
    OmegaConf.save(cfg, run_dir / ".hydra" / "config.yaml")
    last = run_dir / "checkpoints" / "last.ckpt"
    checkpoint = torch.load(last, weights_only=True)
    marker = tmp_path / "the payload ran"
    torch.save({**checkpoint, "extra": Payload(marker)}, last)
    return last, marker


def test_continuing_from_a_crafted_checkpoint_is_refused(compose_run, crafted) -> None:
    ckpt, marker = crafted
    with pytest.raises(CheckpointError, match="was refused: it holds more than tensors") as error:
        run(compose_run(*RUN, "activation=prelu", f"ckpt_path={ckpt}"))
    assert "(it names io.open)" in str(error.value) and "Nothing in it was run" in str(error.value)
    assert not marker.exists()


def test_resuming_from_a_crafted_checkpoint_is_refused(compose_run, crafted, tmp_path) -> None:
    _, marker = crafted
    record = tmp_path / "run" / "metrics.json"
    record.write_text(json.dumps(json.loads(record.read_text()) | {"status": "interrupted"}))
    with pytest.raises(CheckpointError, match="was refused"):
        run(compose_run(*RUN, "activation=prelu", "resume=true"))
    assert not marker.exists()


def test_evaluating_or_drawing_a_crafted_checkpoint_is_refused(crafted, tmp_path) -> None:
    ckpt, marker = crafted
    with pytest.raises(CheckpointError, match="was refused"):
        evaluate(ckpt, tmp_path / "eval")
    with pytest.raises(CheckpointError, match="was refused"):
        checkpoint_panels(ckpt)
    assert not marker.exists()


def test_lightnings_own_load_is_the_safe_one(compose_run, crafted) -> None:
    ckpt, marker = crafted
    cfg = compose_run(*RUN, "activation=prelu")
    datamodule = instantiate(cfg.data)
    trainer = instantiate(cfg.trainer, logger=False, enable_progress_bar=False)
    with pytest.raises(CheckpointError, match="was refused"):
        trainer.test(build_classifier(cfg, datamodule), datamodule=datamodule, ckpt_path=ckpt)
    assert not marker.exists()


@pytest.mark.slow
def test_on_the_command_line_the_refusal_is_the_whole_answer(crafted, tmp_path) -> None:
    ckpt, marker = crafted
    for script in ("train.py", "eval.py"):
        args = [*RUN, "activation=prelu"] if script == "train.py" else []
        result = run_cli(*args, f"ckpt_path={ckpt}", cwd=tmp_path, script=script)
        assert result.returncode == 1
        assert f"Error: ckpt_path={ckpt} was refused" in result.stderr
        assert "Traceback" not in result.stderr
    assert not marker.exists()


def test_every_checkpoint_actlab_writes_loads_safely(compose_run, tmp_path) -> None:
    cfg = compose_run(*RUN, "activation=arelu", "scheduler=onecycle", "optimizer=sgd_momentum")
    run(cfg)
    for path in (tmp_path / "run" / "checkpoints").glob("*.ckpt"):
        checkpoint = torch.load(path, weights_only=True)
        assert {"state_dict", "optimizer_states", "lr_schedulers", "rng_states"} <= set(checkpoint)
