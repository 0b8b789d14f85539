"""Every option of the data group (conf/data/), from tiny files its test writes in the dataset's
real format: read, shaped and labelled as it says, refused by name where its files are missing
or not the published ones. A new dataset is tested here as soon as its option exists."""

from pathlib import Path

import pytest
import torch
from helpers import DATASETS, option_file, tiny_data
from hydra.utils import get_object, instantiate
from torchvision.datasets import SVHN

from actlab.data.files import FileDataModule
from actlab.utils.errors import CorruptDataError, DataNotFoundError

OPTIONS = {name: option_file("data", name) for name in DATASETS}
FILE_DATASETS = [name for name, node in OPTIONS.items() if "data_dir" in node]


def datamodule_of(compose_run, dataset: str, *overrides: str):
    return instantiate(compose_run(f"data={dataset}", *overrides).data)


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_dataset_reads_its_files_with_the_shape_and_classes_it_names(
    compose_run, tmp_path: Path, dataset: str
) -> None:
    overrides = tiny_data(dataset, tmp_path / "data")
    datamodule = datamodule_of(compose_run, dataset, *overrides)
    datamodule.prepare_data()
    datamodule.setup("fit")
    for split in ("train", "val", "test"):
        inputs, labels = datamodule.splits[split]
        assert inputs.shape[1:] == datamodule.input_shape, split
        assert labels.dtype == torch.int64
        assert labels.min() >= 0 and labels.max() < datamodule.num_classes
    assert set(datamodule.splits["train"][1].tolist()) == set(range(datamodule.num_classes))
    if len(datamodule.input_shape) == 3:  # images: held as bytes, scaled on the device
        assert datamodule.splits["train"][0].dtype == torch.uint8


@pytest.mark.parametrize("dataset", FILE_DATASETS)
def test_every_dataset_without_its_files_offline_names_where_it_looked(
    compose_run, tmp_path: Path, dataset: str
) -> None:
    datamodule = datamodule_of(
        compose_run, dataset, "data.download=false", f"data.search_dirs=[{tmp_path / 'mine'}]"
    )
    with pytest.raises(DataNotFoundError) as error:
        datamodule.prepare_data()
    message = str(error.value)
    assert message.startswith(f"{datamodule.display_name} not found: looked for")
    assert str(datamodule.files_dir) in message and str(tmp_path / "mine") in message
    assert "data.download=true (online)" in message


@pytest.mark.parametrize(
    "dataset",
    [
        name
        for name in FILE_DATASETS
        if get_object(OPTIONS[name]._target_)(data_dir="unused").file_checksums
    ],
)
def test_files_made_in_the_format_are_named_by_md5_and_read_with_check_md5_off(
    compose_run, tmp_path: Path, dataset: str
) -> None:
    tiny_data(dataset, tmp_path / "data")
    checked = datamodule_of(compose_run, dataset)
    assert isinstance(checked, FileDataModule) and checked.file_checksums
    with pytest.raises(CorruptDataError) as error:
        checked.setup("fit")
    first, md5 = next(iter(checked.file_checksums.items()))
    message = str(error.value)
    assert "are not the published ones: torchvision's reader checks each file's md5" in message
    assert f"{first} (published: {md5})" in message
    assert "data.check_md5=false reads them as they are" in message
    datamodule_of(compose_run, dataset, "data.check_md5=false").setup("fit")


def test_cifar100_reads_the_fine_labels(compose_run, tmp_path: Path) -> None:
    tiny_data("cifar100", tmp_path / "data")
    datamodule = datamodule_of(compose_run, "cifar100", "data.check_md5=false")
    datamodule.setup("fit")
    assert datamodule.num_classes == 100
    assert torch.equal(datamodule.splits["test"][1], torch.arange(300) % 100)


def test_svhn_keeps_torchvisions_pixels_and_labels_its_zeros_0(compose_run, tmp_path) -> None:
    tiny_data("svhn", tmp_path / "data")
    datamodule = datamodule_of(compose_run, "svhn", "data.check_md5=false")
    datamodule.setup("fit")
    reader = datamodule.reader(str(datamodule.files_dir), split="test")
    images, labels = datamodule.splits["test"]
    assert torch.equal(images, torch.from_numpy(reader.data))
    assert torch.equal(labels, (torch.arange(50) + 1) % 10)  # the files label 0 as 10


def test_svhn_is_augmented_by_crops_without_flips(compose_run) -> None:
    svhn = compose_run("data=svhn").data
    cifar = compose_run("data=cifar100").data
    assert svhn.augmentation.flip == 0.0 and svhn.augmentation.padding == 4
    assert cifar.augmentation.flip == 0.5


def test_svhn_files_in_a_search_dir_are_copied_into_the_data_dir(compose_run, tmp_path) -> None:
    tiny_data("svhn", tmp_path / "downloads")  # as <folder>/SVHN/*.mat
    datamodule = datamodule_of(
        compose_run,
        "svhn",
        "data.check_md5=false",
        "data.download=false",
        f"data.search_dirs=[{tmp_path / 'downloads' / 'SVHN'}]",
    )
    datamodule.prepare_data()
    assert all((datamodule.files_dir / name).exists() for name in datamodule.file_checksums)
    assert datamodule.files_dir == tmp_path / "data" / "SVHN"
    assert SVHN.split_list["train"][1] in datamodule.file_checksums
