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


class CIFAR10DataModule(FileDataModule):
    """Colour images, 3x32x32, 10 classes; the official test batch is the test set.

    The batches are found as a `cifar-10-batches-py` folder (or a folder holding its files) or as
    torchvision's `cifar-10-python.tar.gz`, and installed into `data_dir/cifar-10-batches-py`,
    where torchvision's reader checks their md5 sums and reads them.
    """

    display_name = "CIFAR-10"
    files_description = f"{CIFAR10.base_folder}/ or {CIFAR10.filename}"
    input_shape = (3, 32, 32)
    num_classes = 10

    @property
    def files_dir(self) -> Path:
        return self.data_dir / CIFAR10.base_folder

    @staticmethod
    def _holds_batches(folder: Path) -> bool:
        names = [name for name, _ in CIFAR10.train_list + CIFAR10.test_list]
        return all((folder / name).exists() for name in [*names, CIFAR10.meta["filename"]])

    def installed(self) -> bool:
        return self._holds_batches(self.files_dir)

    def locate(self, folder: Path) -> Path | None:
        for candidate in (folder, folder / CIFAR10.base_folder):
            if self._holds_batches(candidate):
                return candidate
        archive = folder / CIFAR10.filename
        return archive if archive.exists() else None

    def install(self, source: Path) -> None:
        if source == self.files_dir:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.data_dir) as staging:
            if source.is_dir():
                unpacked = Path(shutil.copytree(source, Path(staging) / CIFAR10.base_folder))
            else:
                extract_archive(str(source), staging)
                unpacked = Path(staging) / CIFAR10.base_folder
            # An incomplete earlier install would block the rename.
            shutil.rmtree(self.files_dir, ignore_errors=True)
            os.replace(unpacked, self.files_dir)

    @property
    def checksums(self) -> dict[str, str]:
        return {CIFAR10.filename: CIFAR10.tgz_md5}

    def fetch(self, folder: Path) -> Path:
        CIFAR10(str(folder), download=True)
        return folder / CIFAR10.base_folder

    def read(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        train = CIFAR10(str(self.data_dir), train=True)
        test = CIFAR10(str(self.data_dir), train=False)
        return (
            torch.from_numpy(train.data).permute(0, 3, 1, 2).contiguous(),
            torch.tensor(train.targets),
            torch.from_numpy(test.data).permute(0, 3, 1, 2).contiguous(),
            torch.tensor(test.targets),
        )
