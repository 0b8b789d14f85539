"""CIFAR-10: pickle batches found, unpacked or reported missing, then read by torchvision."""

import tarfile
from functools import partial
from pathlib import Path

import pytest
import torch
from helpers import quiet_trainer
from torch import nn
from torchvision.datasets import CIFAR10

from actlab.data.cifar10 import CIFAR10DataModule
from actlab.training.classifier import Classifier


def prepared(data_dir: Path, **options: object) -> CIFAR10DataModule:
    datamodule = CIFAR10DataModule(data_dir=str(data_dir), val_fraction=0.2, **options)
    datamodule.prepare_data()
    datamodule.setup("fit")
    return datamodule


def test_tiny_pickle_batches_are_read_through_torchvision(cifar_dir: Path) -> None:
    datamodule = prepared(cifar_dir.parent)
    x_train, y_train = datamodule.splits["train"]
    x_test, y_test = datamodule.splits["test"]
    assert (len(x_train), len(datamodule.splits["val"][0]), len(x_test)) == (80, 20, 30)
    assert x_train.shape[1:] == datamodule.input_shape == (3, 32, 32)
    assert x_train.dtype == torch.uint8 and y_train.dtype == torch.int64
    assert torch.equal(y_test, torch.arange(30) % 10)


def test_images_keep_torchvisions_pixel_layout(cifar_dir: Path) -> None:
    reader = CIFAR10(str(cifar_dir.parent), train=False)
    x_test = prepared(cifar_dir.parent).splits["test"][0]
    assert torch.equal(x_test[3].permute(1, 2, 0), torch.from_numpy(reader.data[3]))


def test_batches_are_normalised_per_channel(cifar_dir: Path) -> None:
    datamodule = prepared(cifar_dir.parent)
    inputs = datamodule.scaling(datamodule.splits["train"][0])
    assert torch.allclose(inputs.mean(dim=(0, 2, 3)), torch.zeros(3), atol=1e-5)
    assert torch.allclose(inputs.std(dim=(0, 2, 3)), torch.ones(3), atol=1e-4)


def test_the_archive_in_a_search_dir_is_unpacked_into_the_data_dir(cifar_dir, tmp_path) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with tarfile.open(downloads / CIFAR10.filename, "w:gz") as archive:
        archive.add(cifar_dir, arcname=CIFAR10.base_folder)
    data_dir = tmp_path / "elsewhere"
    datamodule = prepared(data_dir, search_dirs=[str(downloads)])
    assert (data_dir / CIFAR10.base_folder / "test_batch").exists()
    assert len(datamodule.splits["test"][0]) == 30


def test_a_batches_folder_in_a_search_dir_is_copied_into_the_data_dir(cifar_dir, tmp_path):
    data_dir = tmp_path / "elsewhere"
    datamodule = prepared(data_dir, search_dirs=[str(cifar_dir.parent)])
    assert (data_dir / CIFAR10.base_folder / "batches.meta").exists()
    assert len(datamodule.splits["train"][0]) == 80


def test_missing_batches_name_every_folder_tried(tmp_path: Path) -> None:
    datamodule = CIFAR10DataModule(
        data_dir=str(tmp_path / "data"), search_dirs=[str(tmp_path / "nowhere")]
    )
    with pytest.raises(FileNotFoundError) as error:
        datamodule.prepare_data()
    message = str(error.value)
    assert (
        "CIFAR-10 not found: looked for cifar-10-batches-py/ or cifar-10-python.tar.gz" in message
    )
    assert str(tmp_path / "data" / "cifar-10-batches-py") in message
    assert str(tmp_path / "nowhere") in message
    assert "data.download=false only looks" in message


class InputRecorder(nn.Module):
    """Passes its input on and keeps a copy of every batch it sees, by stage."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[bool, torch.Tensor]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append((self.training, x.detach().clone()))
        return x


def batches_seen(cifar_dir: Path, augment: bool) -> tuple[CIFAR10DataModule, list, list]:
    """Train one epoch on tiny CIFAR-10 whose augmentation blanks every image; returns the
    datamodule and the training and validation batches the model saw."""
    datamodule = CIFAR10DataModule(
        data_dir=str(cifar_dir.parent),
        val_fraction=0.2,
        augment=augment,
        augmentation=torch.zeros_like,
    )
    recorder = InputRecorder()
    model = nn.Sequential(recorder, nn.Flatten(), nn.Linear(3 * 32 * 32, 10))
    classifier = Classifier(model, 10, optimizer=partial(torch.optim.SGD, lr=0.01))
    quiet_trainer(max_epochs=1, num_sanity_val_steps=0).fit(classifier, datamodule=datamodule)
    training = [x for is_training, x in recorder.seen if is_training]
    validation = [x for is_training, x in recorder.seen if not is_training]
    return datamodule, training, validation


def test_augmentation_applies_to_training_batches_only(cifar_dir: Path) -> None:
    blank, training, validation = batches_seen(cifar_dir, augment=True)
    blank_image = blank.scaling(torch.zeros(1, 3, 32, 32, dtype=torch.uint8))
    assert training and all(torch.equal(x, blank_image.expand_as(x)) for x in training)
    assert torch.equal(validation[0], blank.scaling(blank.splits["val"][0]))


def test_augment_false_leaves_training_batches_as_they_are(cifar_dir: Path) -> None:
    untouched, training, _ = batches_seen(cifar_dir, augment=False)
    expected = untouched.scaling(untouched.splits["train"][0])
    assert torch.equal(torch.cat(training).sort(0).values, expected.sort(0).values)
