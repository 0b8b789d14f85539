"""MNIST, through torchvision's own reader of the IDX files."""

import gzip
import os
import shutil
from pathlib import Path

from torch import Tensor
from torchvision.datasets import MNIST

from actlab.data.files import FileDataModule
from actlab.data.synthetic import write_mnist_files


class MNISTDataModule(FileDataModule):
    """Handwritten digits, 1x28x28, 10 classes; the official test split is the test set.

    The four IDX files may be plain or gzipped wherever they are found; they are unpacked into
    `data_dir/MNIST/raw`, where torchvision's reader reads them.
    """

    dataset_class: type[MNIST] = MNIST
    display_name = "MNIST"
    input_shape = (1, 28, 28)
    num_classes = 10

    @property
    def file_names(self) -> list[str]:
        """The unpacked IDX file names, as torchvision lists them."""
        return [Path(name).stem for name, _ in self.dataset_class.resources]

    @property
    def files_description(self) -> str:
        return f"{', '.join(self.file_names)} (plain or .gz)"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / self.dataset_class.__name__ / "raw"

    def installed(self) -> bool:
        return all((self.files_dir / name).exists() for name in self.file_names)

    def locate(self, folder: Path) -> Path | None:
        found = all(
            (folder / name).exists() or (folder / f"{name}.gz").exists() for name in self.file_names
        )
        return folder if found else None

    def install(self, source: Path) -> None:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        for name in self.file_names:
            target = self.files_dir / name
            if target.exists():
                continue
            partial = target.with_suffix(".partial")
            if (source / name).exists():
                shutil.copyfile(source / name, partial)
            else:
                with gzip.open(source / f"{name}.gz") as packed, partial.open("wb") as sink:
                    shutil.copyfileobj(packed, sink)
            os.replace(partial, target)

    @property
    def checksums(self) -> dict[str, str]:
        return dict(self.dataset_class.resources)

    def fetch(self, folder: Path) -> Path:
        self.dataset_class(str(folder), download=True)
        return folder / self.dataset_class.__name__ / "raw"

    def read(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        train, test = (self.reader(str(self.data_dir), train=split) for split in (True, False))
        return train.data.unsqueeze(1), train.targets, test.data.unsqueeze(1), test.targets

    def write_tiny(self) -> None:
        write_mnist_files(self.files_dir)
