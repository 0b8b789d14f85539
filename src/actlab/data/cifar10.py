"""CIFAR-10, through torchvision's own reader of the python pickle batches."""

import os
import shutil
import tempfile
from pathlib import Path

import torch
from torch import Tensor
from torchvision.datasets import CIFAR10
from torchvision.datasets.utils import extract_archive

from actlab.data.files import FileDataModule
from actlab.data.synthetic import write_cifar_batches


class CIFAR10DataModule(FileDataModule):
    """Colour images, 3x32x32, 10 classes; the official test batch is the test set.

    The batches are found as a `cifar-10-batches-py` folder (or a folder holding its files) or as
    torchvision's `cifar-10-python.tar.gz`, and installed into `data_dir/cifar-10-batches-py`,
    where torchvision's reader checks their md5 sums (unless `check_md5` is off) and reads them.
    A dataset in the same format (CIFAR-100) is this class with another `dataset_class`.
    """

    dataset_class: type[CIFAR10] = CIFAR10
    display_name = "CIFAR-10"
    input_shape = (3, 32, 32)
    num_classes = 10

    @property
    def files_description(self) -> str:
        return f"{self.dataset_class.base_folder}/ or {self.dataset_class.filename}"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / self.dataset_class.base_folder

    @property
    def file_checksums(self) -> dict[str, str]:
        listed = self.dataset_class.train_list + self.dataset_class.test_list
        return {**dict(listed), self.dataset_class.meta["filename"]: self.dataset_class.meta["md5"]}

    def _holds_batches(self, folder: Path) -> bool:
        return all((folder / name).exists() for name in self.file_checksums)

    def installed(self) -> bool:
        return self._holds_batches(self.files_dir)

    def locate(self, folder: Path) -> Path | None:
        for candidate in (folder, folder / self.dataset_class.base_folder):
            if self._holds_batches(candidate):
                return candidate
        archive = folder / self.dataset_class.filename
        return archive if archive.exists() else None

    def install(self, source: Path) -> None:
        if source == self.files_dir:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        base_folder = self.dataset_class.base_folder
        with tempfile.TemporaryDirectory(dir=self.data_dir) as staging:
            if source.is_dir():
                unpacked = Path(shutil.copytree(source, Path(staging) / base_folder))
            else:
                extract_archive(str(source), staging)
                unpacked = Path(staging) / base_folder
            # An incomplete earlier install would block the rename.
            shutil.rmtree(self.files_dir, ignore_errors=True)
            os.replace(unpacked, self.files_dir)

    @property
    def checksums(self) -> dict[str, str]:
        return {self.dataset_class.filename: self.dataset_class.tgz_md5}

    def fetch(self, folder: Path) -> Path:
        self.dataset_class(str(folder), download=True)
        return folder / self.dataset_class.base_folder

    def reader_without_md5(self) -> type[CIFAR10]:
        reader = self.dataset_class
        unchecked = {
            "train_list": [[name, None] for name, _ in reader.train_list],
            "test_list": [[name, None] for name, _ in reader.test_list],
            "meta": {**reader.meta, "md5": None},
        }
        return type(reader.__name__, (reader,), unchecked)

    def read(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        train, test = (self.reader(str(self.data_dir), train=split) for split in (True, False))
        return (
            torch.from_numpy(train.data).permute(0, 3, 1, 2).contiguous(),
            torch.tensor(train.targets),
            torch.from_numpy(test.data).permute(0, 3, 1, 2).contiguous(),
            torch.tensor(test.targets),
        )

    def write_tiny(self) -> None:
        write_cifar_batches(self.files_dir, self.dataset_class)
