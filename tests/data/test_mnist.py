"""MNIST and Fashion-MNIST: found, unpacked or reported missing, then read by torchvision."""

from pathlib import Path

import pytest
import torch

from actlab.data.fashion_mnist import FashionMNISTDataModule
from actlab.data.mnist import MNISTDataModule
from actlab.data.synthetic import write_mnist_files


def prepared(module_class: type[MNISTDataModule], **options: object) -> MNISTDataModule:
    datamodule = module_class(val_fraction=0.2, **options)
    datamodule.prepare_data()
    datamodule.setup("fit")
    return datamodule


@pytest.mark.parametrize("module_class", [MNISTDataModule, FashionMNISTDataModule])
def test_tiny_idx_files_are_read_through_torchvision(module_class, data_dir: Path) -> None:
    datamodule = prepared(module_class, data_dir=str(data_dir))
    x_train, y_train = datamodule.splits["train"]
    x_val, _ = datamodule.splits["val"]
    x_test, y_test = datamodule.splits["test"]
    assert (len(x_train), len(x_val), len(x_test)) == (80, 20, 50)
    assert x_train.shape[1:] == datamodule.input_shape == (1, 28, 28)
    assert x_train.dtype == torch.uint8 and y_train.dtype == torch.int64
    assert torch.equal(y_test, torch.arange(50) % 10)


def test_the_validation_split_is_stratified_and_fixed_by_its_seed(data_dir: Path) -> None:
    first = prepared(MNISTDataModule, data_dir=str(data_dir))
    again = prepared(MNISTDataModule, data_dir=str(data_dir))
    other = prepared(MNISTDataModule, data_dir=str(data_dir), split_seed=7)
    val_labels = first.splits["val"][1]
    assert torch.equal(torch.bincount(val_labels), torch.full((10,), 2))
    assert torch.equal(first.splits["val"][0], again.splits["val"][0])
    assert not torch.equal(first.splits["val"][0], other.splits["val"][0])


def test_batches_are_standardised_with_training_statistics(data_dir: Path) -> None:
    datamodule = prepared(MNISTDataModule, data_dir=str(data_dir))
    x_train, labels = datamodule.splits["train"]
    inputs, same_labels = datamodule.on_after_batch_transfer((x_train, labels), 0)
    assert inputs.dtype == torch.float32 and same_labels is labels
    assert inputs.mean().item() == pytest.approx(0.0, abs=1e-5)
    assert inputs.std().item() == pytest.approx(1.0, abs=1e-4)


def test_gz_files_in_a_search_dir_are_unpacked_into_the_data_dir(tmp_path: Path) -> None:
    system_dir = tmp_path / "usr-share-datasets-fashion-mnist"
    write_mnist_files(system_dir, gz=True)
    data_dir = tmp_path / "data"
    datamodule = prepared(
        FashionMNISTDataModule, data_dir=str(data_dir), search_dirs=[str(system_dir)]
    )
    raw = data_dir / "FashionMNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(datamodule.file_names)
    assert len(datamodule.splits["test"][0]) == 50


def test_missing_files_name_every_folder_tried_and_how_to_get_them(tmp_path: Path) -> None:
    datamodule = FashionMNISTDataModule(
        data_dir=str(tmp_path / "data"), search_dirs=[str(tmp_path / "nowhere")]
    )
    with pytest.raises(FileNotFoundError) as error:
        datamodule.prepare_data()
    message = str(error.value)
    assert "Fashion-MNIST not found" in message
    assert str(tmp_path / "data" / "FashionMNIST" / "raw") in message
    assert str(tmp_path / "nowhere") in message
    assert "data.download=false only looks" in message
    assert "apt-get install dataset-fashion-mnist" in message


def test_the_data_dir_is_not_touched_when_nothing_is_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        MNISTDataModule(data_dir=str(tmp_path / "data"), download=False).prepare_data()
    assert not (tmp_path / "data").exists()
