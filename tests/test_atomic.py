"""Files written atomically: a write that stops half-way leaves the earlier file whole, and no
partial file behind."""

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from hydra.utils import instantiate
from omegaconf import DictConfig

from actlab.storage import checkpoints
from actlab.storage.checkpoints import CheckpointIO
from actlab.utils.atomic import atomic_path, write_text_atomically


def test_a_write_that_fails_leaves_the_earlier_file_and_no_partial_one(tmp_path: Path) -> None:
    path = tmp_path / "metrics.json"
    write_text_atomically(path, '{"status": "ok"}')
    with pytest.raises(OSError), atomic_path(path) as partial:
        partial.write_text('{"sta')
        raise OSError("disk full")
    assert path.read_text() == '{"status": "ok"}'
    assert sorted(tmp_path.iterdir()) == [path]


def test_a_checkpoint_cut_short_leaves_the_earlier_one_loadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "checkpoints" / "last.ckpt"
    io = CheckpointIO()
    io.save_checkpoint({"global_step": 1}, path)

    def killed_half_way(checkpoint: dict, target: Path) -> None:
        target.write_bytes(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoints.torch, "save", killed_half_way)
    with pytest.raises(KeyboardInterrupt):
        io.save_checkpoint({"global_step": 2}, path)
    assert io.load_checkpoint(path)["global_step"] == 1
    assert sorted(path.parent.iterdir()) == [path]


def test_checkpoints_never_pass_through_the_temp_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lightning's own writer stages each checkpoint in the system's temp folder, and copies it
    to the final name when that folder is on another disk."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no such folder"))
    path = tmp_path / "checkpoints" / "last.ckpt"
    CheckpointIO().save_checkpoint({"global_step": 3}, path)
    assert torch.load(path)["global_step"] == 3


@pytest.mark.parametrize("trainer", ["default", "cpu", "gpu", "ddp", "ddp_sim"])
def test_every_trainer_writes_checkpoints_atomically(
    compose_run: Callable[..., DictConfig], trainer: str
) -> None:
    cfg = compose_run(f"trainer={trainer}", "trainer.accelerator=cpu", "trainer.devices=1")
    built = instantiate(cfg.trainer, logger=False, enable_progress_bar=False)
    assert isinstance(built.strategy.checkpoint_io, CheckpointIO)
