"""Datasets read from files: found on disk, or downloaded when allowed."""

import pickle
from collections.abc import Sequence
from pathlib import Path

from torch import Tensor

from actlab.data.in_memory import InMemoryDataModule

READ_ERRORS = (RuntimeError, ValueError, AssertionError, EOFError, pickle.UnpicklingError)
"""What torchvision's readers raise on a truncated or corrupt file (an IDX file of the wrong
size, a pickle cut short, a CIFAR-10 batch whose md5 sum differs)."""


class CorruptDataError(RuntimeError):
    """A dataset's files are there but cannot be read."""


class FileDataModule(InMemoryDataModule):
    """An in-memory dataset whose files are found or fetched by `prepare_data`.

    It looks in `files_dir` (where the reader reads them), then in each of `search_dirs`, and
    installs the files from the first folder that has them into `files_dir`. Only when
    `download` is set does it fetch them. When none of that works, the error lists every folder
    it tried and how to get the files. Downloading is off by default: the jobs of a sweep would
    all download into the same folder at once.

    A subclass says where the files go (`files_dir`), how to recognise them in a folder
    (`locate`), how to install them from there (`install`), how to download them (`fetch`) and
    how to read them (`read`). Files that cannot be read raise `CorruptDataError`, which says
    which files and how to replace them.
    """

    display_name: str
    files_description: str
    install_hint = ""

    def __init__(
        self,
        data_dir: str,
        search_dirs: Sequence[str] = (),
        download: bool = False,
        **in_memory: object,
    ) -> None:
        super().__init__(**in_memory)
        self.data_dir = Path(data_dir).absolute()
        self.search_dirs = [Path(folder).absolute() for folder in search_dirs]
        self.download = download

    @property
    def files_dir(self) -> Path:
        """Where the reader expects the files."""
        raise NotImplementedError

    def locate(self, folder: Path) -> Path | None:
        """The files (a folder or an archive) found in `folder`, or None."""
        raise NotImplementedError

    def install(self, source: Path) -> None:
        """Copy or unpack the files from `source` into `files_dir`, atomically per file."""
        raise NotImplementedError

    def fetch(self) -> None:
        """Download the files into `files_dir`; raises RuntimeError when that fails."""
        raise NotImplementedError

    def read(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """The installed files' training inputs and labels, then test inputs and labels."""
        raise NotImplementedError

    def load(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        try:
            return self.read()
        except READ_ERRORS as error:
            raise CorruptDataError(
                f"{self.display_name} files in {self.files_dir} cannot be read, a file is "
                f"truncated or corrupt ({type(error).__name__}: {error}). Delete the folder and "
                "run again to install them afresh, with data.download=true where online."
            ) from error

    def _source(self) -> Path | None:
        """The files in the first folder of `files_dir` and `search_dirs` that has them."""
        for folder in [self.files_dir, *self.search_dirs]:
            source = self.locate(folder)
            if source is not None:
                return source
        return None

    def check_available(self) -> None:
        if self.download or self._source() is not None:
            return
        raise self._not_found()

    def _not_found(self, download_error: str = "") -> FileNotFoundError:
        """The error that lists every folder tried and how to get the files."""
        tried = [self.files_dir, *self.search_dirs]
        hint = f"; or {self.install_hint}" if self.install_hint else ""
        return FileNotFoundError(
            f"{self.display_name} not found: looked for {self.files_description} in:\n"
            + "".join(f"  {folder}\n" for folder in tried)
            + f"Get it with data.download=true (online), or put the files in {self.files_dir} "
            f"or in a folder named in data.search_dirs{hint}." + download_error
        )

    def prepare_data(self) -> None:
        source = self._source()
        if source is not None:
            self.install(source)
            return
        download_error = ""
        if self.download:
            try:
                self.fetch()
                return
            except RuntimeError as error:
                download_error = f"\nThe download failed: {error}"
        raise self._not_found(download_error)
