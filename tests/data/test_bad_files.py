"""Missing data fails before a run builds its trainer; unreadable files say which and what to do."""

import json
from pathlib import Path

import pytest
from helpers import FAST, TINY_MODEL
from torchvision.datasets import CIFAR10

from actlab.data.cifar10 import CIFAR10DataModule
from actlab.data.mnist import MNISTDataModule
from actlab.run.recipe import run
from actlab.utils.errors import CorruptDataError

LENET = ["model=lenet", *TINY_MODEL["lenet"], *FAST]


def test_missing_data_fails_before_the_trainer_is_built(compose_run, tmp_path: Path) -> None:
    cfg = compose_run("data=mnist", *LENET)
    with pytest.raises(FileNotFoundError, match="MNIST not found: looked for") as error:
        run(cfg)
    assert "data.download=false only looks" in str(error.value)
    assert not any(frame.name == "fit" for frame in error.traceback)  # before trainer.fit
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["status"] == "failed" and record["reason"].startswith("DataNotFoundError")
    assert not (tmp_path / "run" / "tensorboard").exists()


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_an_unreadable_idx_file_names_the_folder_and_the_fix(data_dir: Path, damage: str) -> None:
    images = data_dir / "MNIST" / "raw" / "train-images-idx3-ubyte"
    content = images.read_bytes()
    images.write_bytes(content[: len(content) // 2] if damage == "truncated" else b"junk" * 9)
    datamodule = MNISTDataModule(data_dir=str(data_dir))
    datamodule.prepare_data()  # the files are there
    with pytest.raises(CorruptDataError) as error:
        datamodule.setup("fit")
    message = str(error.value)
    assert message.startswith(f"MNIST files in {images.parent} cannot be read, a file is truncated")
    assert "To replace them, delete the folder and run again" in message


def test_a_cifar_batch_cut_short_is_named_by_its_md5_sum(cifar_dir: Path, tmp_path: Path) -> None:
    batch = cifar_dir / "data_batch_3"
    batch.write_bytes(batch.read_bytes()[:100])
    datamodule = CIFAR10DataModule(data_dir=str(tmp_path / "data"))
    with pytest.raises(CorruptDataError) as error:
        datamodule.setup("fit")
    message = str(error.value)
    assert message.startswith(f"CIFAR-10 files in {cifar_dir} are not the published ones")
    published = dict(CIFAR10.train_list)["data_batch_3"]  # the fixture's own sums
    assert f"these differ: data_batch_3 (published: {published})." in message
    assert "data.check_md5=false reads them as they are" in message
    # Read as they are, the cut batch cannot be unpickled: that is what is said then.
    unchecked = CIFAR10DataModule(data_dir=str(tmp_path / "data"), check_md5=False)
    with pytest.raises(CorruptDataError, match=r"CIFAR-10 files in .* cannot be read, a file is"):
        unchecked.setup("fit")


def test_a_corrupt_file_fails_a_run_with_that_message(compose_run, data_dir, tmp_path) -> None:
    labels = data_dir / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    labels.write_bytes(labels.read_bytes()[:20])
    with pytest.raises(CorruptDataError):
        run(compose_run("data=mnist", *LENET))
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["status"] == "failed" and "truncated or corrupt" in record["reason"]
