"""Datasets read from files: found on disk, or downloaded once, however many jobs start at once."""

import http.client
import pickle
import tempfile
from collections.abc import Sequence
from pathlib import Path

from filelock import FileLock
from torch import Tensor
from torchvision.datasets import VisionDataset
from torchvision.datasets.utils import check_integrity

from actlab.data.in_memory import InMemoryDataModule
from actlab.utils.errors import CorruptDataError, DataNotFoundError
from actlab.utils.locks import waiting_for

READ_ERRORS = (RuntimeError, ValueError, AssertionError, EOFError, pickle.UnpicklingError)
"""What torchvision's readers raise on a truncated or corrupt file (an IDX file of the wrong
size, a pickle cut short, a CIFAR-10 batch whose md5 sum differs)."""

DOWNLOAD_ERRORS = (OSError, RuntimeError, http.client.HTTPException)
"""What a download that fails raises: no network (URLError is an OSError), a connection cut,
a file that does not match its md5 sum (torchvision's RuntimeError)."""


class FileDataModule(InMemoryDataModule):
    """An in-memory dataset whose files are found, or downloaded, by `prepare_data`.

    It looks in `files_dir` (where the reader reads them), then in each of `search_dirs`, and
    installs the files from the first folder that has them into `files_dir`. Failing that, when
    `download` is set, it downloads them (torchvision's downloader, which checks md5 sums) into a
    temporary folder and installs them from there, so a download cut short never leaves files
    that look complete. One lock per dataset in `data_dir` (`filelock`) makes the jobs of a sweep
    that start together, as processes or as SLURM tasks on a shared disk, download it once: the
    first takes the lock, the others wait and then find the files. When nothing works, the error
    lists every folder tried and how to get the files.

    A subclass names torchvision's reader (`dataset_class`) and says where the files go
    (`files_dir`), whether they are there (`installed`), how to recognise them in a folder
    (`locate`), how to install them from there (`install`), how to download them (`fetch`), the
    md5 sums of what it downloads (`checksums`) and of what the reader checks (`file_checksums`),
    how to read them (`read`, with `reader`) and how to write tiny files in their format
    (`write_tiny`, for tests). Files that cannot be read raise `CorruptDataError`, which says
    which files and how to replace them; files that are not the published ones (their md5 sums
    differ) are read as they are with `check_md5` off: files made in the format, by a user or a
    test.
    """

    dataset_class: type[VisionDataset]
    display_name: str
    files_description: str
    install_hint = ""

    def __init__(
        self,
        data_dir: str,
        search_dirs: Sequence[str] = (),
        download: bool = True,
        check_md5: bool = True,
        **in_memory: object,
    ) -> None:
        super().__init__(**in_memory)
        self.data_dir = Path(data_dir).absolute()
        self.search_dirs = [Path(folder).absolute() for folder in search_dirs]
        self.download = download
        self.check_md5 = check_md5

    @property
    def files_dir(self) -> Path:
        """Where the reader expects the files."""
        raise NotImplementedError

    @property
    def checksums(self) -> dict[str, str]:
        """The md5 sum of each file that `fetch` downloads, by file name."""
        raise NotImplementedError

    def installed(self) -> bool:
        """Whether the files are in `files_dir`, ready for the reader."""
        raise NotImplementedError

    def locate(self, folder: Path) -> Path | None:
        """The files (a folder or an archive) found in `folder`, or None."""
        raise NotImplementedError

    def install(self, source: Path) -> None:
        """Copy or unpack the files from `source` into `files_dir`, atomically per file."""
        raise NotImplementedError

    def fetch(self, folder: Path) -> Path:
        """Download the files into the empty `folder`; the files found there, to install from."""
        raise NotImplementedError

    def read(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """The installed files' training inputs and labels, then test inputs and labels, read
        with `reader`."""
        raise NotImplementedError

    def write_tiny(self) -> None:
        """Write a few random samples of each split in the files' real format into `files_dir`,
        as the reader reads them (with `check_md5` off): what tests of the dataset train on."""
        raise NotImplementedError(
            f"{type(self).__qualname__} cannot write tiny files in its format: give it a "
            "`write_tiny` (docs/extending.md, 'Test your dataset')"
        )

    @property
    def file_checksums(self) -> dict[str, str]:
        """The md5 sum of each file that the reader checks before it reads (by its name in
        `files_dir`); none unless a subclass lists them."""
        return {}

    def reader_without_md5(self) -> type[VisionDataset]:
        """`dataset_class` as it reads files without checking their md5 sums (torchvision's
        `check_integrity` only looks for a file given no md5 sum); the same class unless its
        reader checks them (`file_checksums`)."""
        return self.dataset_class

    @property
    def reader(self) -> type[VisionDataset]:
        """torchvision's reader of the files: `dataset_class`, which checks their md5 sums, or
        with `check_md5` off `reader_without_md5`."""
        return self.dataset_class if self.check_md5 else self.reader_without_md5()

    def load(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        try:
            return self.read()
        except READ_ERRORS as error:
            raise self._unreadable(error) from error

    def _unreadable(self, error: Exception) -> CorruptDataError:
        """Why the installed files cannot be read: not the published files (which of them, by md5
        sum, and how to read files made in the format), or truncated or corrupt."""
        differ = [
            f"{name} (published: {md5})"
            for name, md5 in self.file_checksums.items()
            if self.check_md5 and not check_integrity(str(self.files_dir / name), md5)
        ]
        replace = "delete the folder and run again to install them afresh (downloaded where online)"
        if differ:
            return CorruptDataError(
                f"{self.display_name} files in {self.files_dir} are not the published ones: "
                f"torchvision's reader checks each file's md5 sum, and these differ: "
                f"{', '.join(differ)}. Files you made in this format yourself: "
                f"data.check_md5=false reads them as they are. Else {replace}."
            )
        return CorruptDataError(
            f"{self.display_name} files in {self.files_dir} cannot be read, a file is truncated "
            f"or corrupt ({type(error).__name__}: {error}). To replace them, {replace}."
        )

    def _source(self) -> Path | None:
        """The files in the first folder of `files_dir` and `search_dirs` that has them."""
        for folder in [self.files_dir, *self.search_dirs]:
            source = self.locate(folder)
            if source is not None:
                return source
        return None

    def _not_found(self, download_error: str | None = None) -> DataNotFoundError:
        """The error that lists every folder tried and how to get the files."""
        tried = "".join(f"\n  {folder}" for folder in [self.files_dir, *self.search_dirs])
        where = f"put the files in {self.files_dir} or in a folder named in data.search_dirs"
        hint = f", or {self.install_hint}" if self.install_hint else ""
        if download_error is None:
            how = f"P{where[1:]}{hint}, or download them with data.download=true (online)."
        else:
            how = (
                f"and the download failed ({download_error}).\nWhere online, run again to "
                f"download it; else {where}{hint} (data.download=false only looks)."
            )
        return DataNotFoundError(
            f"{self.display_name} not found: looked for {self.files_description} in:{tried}\n{how}"
        )

    def _lock(self) -> FileLock:
        """The lock that one job at a time holds to install or download this dataset."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return FileLock(self.data_dir / f".{self.display_name}.lock")

    def prepare_data(self) -> None:
        if self.installed():
            return  # nothing to wait for, nor to write
        if self._source() is None and not self.download:
            raise self._not_found()
        with waiting_for(self._lock(), f"another job's install of {self.display_name}"):
            source = self._source()  # the job that held the lock may have installed the files
            if source is None:
                self._download()
            else:
                self.install(source)

    def _download(self) -> None:
        """Download the files into a temporary folder beside `files_dir`, then install them."""
        if not self.download:
            raise self._not_found()
        with tempfile.TemporaryDirectory(dir=self.data_dir, prefix=".download-") as staging:
            try:
                downloaded = self.fetch(Path(staging))
            except DOWNLOAD_ERRORS as error:
                corrupt = [
                    name
                    for name, md5 in self.checksums.items()
                    for path in Path(staging).rglob(name)
                    if not check_integrity(str(path), md5)
                ]
                if corrupt:
                    raise CorruptDataError(
                        f"The {self.display_name} download was refused: {', '.join(corrupt)} "
                        "does not match its md5 sum (corrupt, or cut short). Nothing was "
                        "installed; run again to download it afresh."
                    ) from error
                reason = " ".join(f"{type(error).__name__}: {error}".split())  # one line
                raise self._not_found(reason) from error
            self.install(downloaded)
