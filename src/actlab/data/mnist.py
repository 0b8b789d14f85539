"""MNIST, through torchvision's own reader of the IDX files."""

import gzip
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from torch import Tensor
from torchvision.datasets import MNIST

from actlab.data.in_memory import InMemoryDataModule


class MNISTDataModule(InMemoryDataModule):
    """Handwritten digits, 1x28x28, 10 classes; the official test split is the test set.

    `prepare_data` finds the four IDX files (plain or .gz) in `data_dir/<Dataset>/raw`, then in
    each of `search_dirs`, copying or unpacking them into the first, and downloads them only
    when `download` is set. When none of that works, the error lists every folder it tried.
    """

    dataset_class: type[MNIST] = MNIST
    display_name = "MNIST"
    install_hint = ""
    input_shape = (1, 28, 28)
    num_classes = 10

    def __init__(
        self,
        data_dir: str,
        search_dirs: Sequence[str] = (),
        download: bool = False,
        **batching: int | float,
    ) -> None:
        super().__init__(**batching)
        self.data_dir = Path(data_dir).absolute()
        self.search_dirs = [Path(folder) for folder in search_dirs]
        self.download = download

    @property
    def raw_dir(self) -> Path:
        """Where torchvision's reader looks for the unpacked files."""
        return self.data_dir / self.dataset_class.__name__ / "raw"

    @property
    def file_names(self) -> list[str]:
        """The unpacked IDX file names, as torchvision lists them."""
        return [Path(name).stem for name, _ in self.dataset_class.resources]

    def _holds_files(self, folder: Path) -> bool:
        return all(
            (folder / name).exists() or (folder / f"{name}.gz").exists() for name in self.file_names
        )

    def _unpack_from(self, folder: Path) -> None:
        self.raw_dir.mkdir(parents=True, exist_ok=True)
        for name in self.file_names:
            target = self.raw_dir / name
            if target.exists():
                continue
            partial = target.with_suffix(".partial")
            if (folder / name).exists():
                shutil.copyfile(folder / name, partial)
            else:
                with gzip.open(folder / f"{name}.gz") as source, partial.open("wb") as sink:
                    shutil.copyfileobj(source, sink)
            os.replace(partial, target)

    def prepare_data(self) -> None:
        tried = [self.raw_dir, *self.search_dirs]
        for folder in tried:
            if self._holds_files(folder):
                self._unpack_from(folder)
                return
        download_error = ""
        if self.download:
            try:
                self.dataset_class(str(self.data_dir), download=True)
                return
            except RuntimeError as error:
                download_error = f"\nThe download failed: {error}"
        hint = f"; or {self.install_hint}" if self.install_hint else ""
        raise FileNotFoundError(
            f"{self.display_name} not found: looked for {', '.join(self.file_names)} "
            f"(plain or .gz) in:\n"
            + "".join(f"  {folder}\n" for folder in tried)
            + f"Get it with data.download=true (online), or copy the four files into "
            f"{self.raw_dir} or into a folder named in data.search_dirs{hint}." + download_error
        )

    def load(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        train = self.dataset_class(str(self.data_dir), train=True)
        test = self.dataset_class(str(self.data_dir), train=False)
        return (
            train.data.unsqueeze(1).float() / 255,
            train.targets,
            test.data.unsqueeze(1).float() / 255,
            test.targets,
        )
