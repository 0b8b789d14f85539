"""SVHN, the Street View House Numbers, through torchvision's own reader of its MATLAB files."""

import os
import shutil
from pathlib import Path

import torch
from torch import Tensor
from torchvision.datasets import SVHN

from actlab.data.files import FileDataModule
from actlab.data.synthetic import write_svhn_files

SPLITS = ("train", "test")
"""The splits read: the training and test files (not `extra`, the 531k easier digits)."""


class SVHNDataModule(FileDataModule):
    """Colour digits cut from house numbers, 3x32x32, 10 classes (the digit 0 labelled 0); the
    official test file is the test set.

    The files `train_32x32.mat` and `test_32x32.mat` are found in a folder (or its `SVHN/`) and
    copied into `data_dir/SVHN`, where torchvision's reader checks their md5 sums (unless
    `check_md5` is off) and reads them.
    """

    dataset_class = SVHN
    display_name = "SVHN"
    input_shape = (3, 32, 32)
    num_classes = 10

    @property
    def file_checksums(self) -> dict[str, str]:
        return {SVHN.split_list[split][1]: SVHN.split_list[split][2] for split in SPLITS}

    files_description = " and ".join(SVHN.split_list[split][1] for split in SPLITS)

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "SVHN"

    def installed(self) -> bool:
        return self.locate(self.files_dir) == self.files_dir

    def locate(self, folder: Path) -> Path | None:
        for candidate in (folder, folder / "SVHN"):
            if all((candidate / name).exists() for name in self.file_checksums):
                return candidate
        return None

    def install(self, source: Path) -> None:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        for name in self.file_checksums:
            target = self.files_dir / name
            partial = target.with_suffix(".partial")
            shutil.copyfile(source / name, partial)
            os.replace(partial, target)

    @property
    def checksums(self) -> dict[str, str]:
        return self.file_checksums

    def fetch(self, folder: Path) -> Path:
        for split in SPLITS:
            SVHN(str(folder), split=split, download=True)
        return folder

    def reader_without_md5(self) -> type[SVHN]:
        unchecked = {split: [url, name, None] for split, (url, name, _) in SVHN.split_list.items()}
        return type("SVHN", (SVHN,), {"split_list": unchecked})

    def read(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        train, test = (self.reader(str(self.files_dir), split=split) for split in SPLITS)
        return (
            torch.from_numpy(train.data).contiguous(),
            torch.from_numpy(train.labels),
            torch.from_numpy(test.data).contiguous(),
            torch.from_numpy(test.labels),
        )

    def write_tiny(self) -> None:
        write_svhn_files(self.files_dir)
