"""Datasets read from files: found on disk, or downloaded when allowed."""

from collections.abc import Sequence
from pathlib import Path

from actlab.data.in_memory import InMemoryDataModule


class FileDataModule(InMemoryDataModule):
    """An in-memory dataset whose files are found or fetched by `prepare_data`.

    It looks in `files_dir` (where the reader reads them), then in each of `search_dirs`, and
    installs the files from the first folder that has them into `files_dir`. Only when
    `download` is set does it fetch them. When none of that works, the error lists every folder
    it tried and how to get the files. Downloading is off by default: the jobs of a sweep would
    all download into the same folder at once.

    A subclass says where the files go (`files_dir`), how to recognise them in a folder
    (`locate`), how to install them from there (`install`) and how to download them (`fetch`).
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

    def prepare_data(self) -> None:
        tried = [self.files_dir, *self.search_dirs]
        for folder in tried:
            source = self.locate(folder)
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
        hint = f"; or {self.install_hint}" if self.install_hint else ""
        raise FileNotFoundError(
            f"{self.display_name} not found: looked for {self.files_description} in:\n"
            + "".join(f"  {folder}\n" for folder in tried)
            + f"Get it with data.download=true (online), or put the files in {self.files_dir} "
            f"or in a folder named in data.search_dirs{hint}." + download_error
        )
