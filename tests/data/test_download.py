"""Downloads on first use, once, through torchvision's downloader, from a fake server (offline/)
that serves tiny files in the real formats."""

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from helpers import FAST, TINY_MODEL, run_cli
from torchvision.datasets import CIFAR10, MNIST, SVHN

from actlab.data.cifar10 import CIFAR10DataModule
from actlab.data.cifar100 import CIFAR100DataModule
from actlab.data.files import FileDataModule
from actlab.data.mnist import MNISTDataModule
from actlab.data.svhn import SVHNDataModule
from actlab.data.synthetic import write_cifar_batches, write_mnist_files
from actlab.run.recipe import run
from actlab.utils.errors import CorruptDataError, DataNotFoundError

LENET = ["model=lenet", *TINY_MODEL["lenet"], *FAST]


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake server's folder, serving the four MNIST files (tiny, gzipped), their md5 sums
    registered with torchvision as MNIST's own."""
    folder = tmp_path / "server"
    write_mnist_files(folder, gz=True)
    resources = [(name, md5(folder / name)) for name, _ in MNIST.resources]
    monkeypatch.setattr(MNIST, "resources", resources)
    monkeypatch.setenv("ACTLAB_FAKE_SERVER", str(folder))
    return folder


def served(server: Path) -> list[str]:
    """The names of the files the server sent whole, one entry per download."""
    log = server / "served.log"
    return sorted(line.split()[0] for line in log.read_text().splitlines()) if log.exists() else []


def test_mnist_is_downloaded_on_first_use_and_read(server: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    datamodule = MNISTDataModule(data_dir=str(data_dir), val_fraction=0.2)
    datamodule.prepare_data()
    datamodule.setup("fit")
    assert len(datamodule.splits["test"][0]) == 50
    raw = data_dir / "MNIST" / "raw"
    assert {path.name for path in raw.iterdir()} >= set(datamodule.file_names)
    assert [path.name for path in data_dir.iterdir() if path.name.startswith(".download")] == []
    MNISTDataModule(data_dir=str(data_dir)).prepare_data()  # found: not downloaded again
    assert served(server) == sorted(name for name, _ in MNIST.resources)


def test_a_run_downloads_its_data_by_default(server: Path, compose_run, tmp_path: Path) -> None:
    run(compose_run("data=mnist", *LENET))
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["status"] == "ok"
    assert len(served(server)) == 4


def test_offline_the_error_says_where_it_looked_and_how_to_get_the_files(tmp_path) -> None:
    data_dir = tmp_path / "data"
    with pytest.raises(DataNotFoundError) as error:
        MNISTDataModule(data_dir=str(data_dir)).prepare_data()
    message = str(error.value)
    assert message.startswith("MNIST not found: looked for train-images-idx3-ubyte")
    assert f"  {data_dir / 'MNIST' / 'raw'}\n" in message
    assert "\nand the download failed (RuntimeError: Error downloading train-images" in message
    assert "no network in actlab's tests" in message
    assert "data.download=false only looks" in message
    assert not list((data_dir / "MNIST" / "raw").glob("*"))  # nothing that looks complete


def test_with_download_off_it_only_looks(server: Path, tmp_path: Path) -> None:
    with pytest.raises(DataNotFoundError, match=r"or download them with data.download=true"):
        MNISTDataModule(data_dir=str(tmp_path / "data"), download=False).prepare_data()
    assert served(server) == [] and not (tmp_path / "data").exists()


@pytest.mark.parametrize("fault", ["cut_short", "corrupt"])
def test_a_download_cut_short_or_corrupt_is_refused_by_name(server, tmp_path, fault) -> None:
    if fault == "cut_short":
        (server / "cut_short").touch()
    else:  # another file under the name: its md5 sum differs
        (server / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not the labels")
    data_dir = tmp_path / "data"
    with pytest.raises(CorruptDataError) as error:
        MNISTDataModule(data_dir=str(data_dir)).prepare_data()
    first = "train-images-idx3-ubyte.gz" if fault == "cut_short" else "t10k-labels-idx1-ubyte.gz"
    assert f"The MNIST download was refused: {first} does not match its md5 sum" in str(error.value)
    assert not list((data_dir / "MNIST" / "raw").glob("*"))
    assert [path.name for path in data_dir.iterdir() if path.name.startswith(".download")] == []


@pytest.fixture
def cifar_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake server with tiny CIFAR-10 batches as torchvision's archive, md5 sums registered."""
    batches = tmp_path / "batches" / CIFAR10.base_folder
    write_cifar_batches(batches)
    folder = tmp_path / "server"
    folder.mkdir()
    with tarfile.open(folder / CIFAR10.filename, "w:gz") as archive:
        archive.add(batches, arcname=CIFAR10.base_folder)
    monkeypatch.setattr(CIFAR10, "tgz_md5", md5(folder / CIFAR10.filename))
    for listing in ("train_list", "test_list"):
        files = [[name, md5(batches / name)] for name, _ in getattr(CIFAR10, listing)]
        monkeypatch.setattr(CIFAR10, listing, files)
    meta = {**CIFAR10.meta, "md5": md5(batches / CIFAR10.meta["filename"])}
    monkeypatch.setattr(CIFAR10, "meta", meta)
    monkeypatch.setenv("ACTLAB_FAKE_SERVER", str(folder))
    return folder


def test_cifar10_is_downloaded_on_first_use(cifar_server: Path, tmp_path: Path) -> None:
    datamodule = CIFAR10DataModule(data_dir=str(tmp_path / "data"))
    datamodule.prepare_data()
    datamodule.setup("fit")
    assert len(datamodule.splits["test"][0]) == 30
    assert served(cifar_server) == [CIFAR10.filename]


def test_a_corrupt_cifar10_archive_is_refused_by_name(cifar_server: Path, tmp_path) -> None:
    (cifar_server / CIFAR10.filename).write_bytes(b"\x1f\x8b not the archive")
    with pytest.raises(CorruptDataError, match=f"{CIFAR10.filename} does not match its md5"):
        CIFAR10DataModule(data_dir=str(tmp_path / "data")).prepare_data()
    assert not (tmp_path / "data" / CIFAR10.base_folder).exists()


@pytest.mark.parametrize("datamodule_class", [CIFAR100DataModule, SVHNDataModule])
def test_cifar100_and_svhn_are_downloaded_on_first_use(
    datamodule_class: type[FileDataModule], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Served as torchvision downloads them (CIFAR-100's archive; SVHN's two .mat files), with
    the served files' md5 sums registered as the published ones."""
    made = datamodule_class(data_dir=str(tmp_path / "made"))
    made.write_tiny()
    server = tmp_path / "server"
    server.mkdir()
    reader = made.dataset_class
    if datamodule_class is SVHNDataModule:
        listing = {}
        for split, (url, name, _) in SVHN.split_list.items():
            if (made.files_dir / name).exists():
                (server / name).write_bytes((made.files_dir / name).read_bytes())
            listing[split] = [url, name, md5(server / name) if (server / name).exists() else None]
        monkeypatch.setattr(SVHN, "split_list", listing)
    else:
        with tarfile.open(server / reader.filename, "w:gz") as archive:
            archive.add(made.files_dir, arcname=reader.base_folder)
        monkeypatch.setattr(reader, "tgz_md5", md5(server / reader.filename))
        for key in ("train_list", "test_list"):
            files = [[name, md5(made.files_dir / name)] for name, _ in getattr(reader, key)]
            monkeypatch.setattr(reader, key, files)
        meta = {**reader.meta, "md5": md5(made.files_dir / reader.meta["filename"])}
        monkeypatch.setattr(reader, "meta", meta)
    monkeypatch.setenv("ACTLAB_FAKE_SERVER", str(server))
    datamodule = datamodule_class(data_dir=str(tmp_path / "data"))
    datamodule.prepare_data()
    datamodule.setup("fit")
    assert len(datamodule.splits["test"][0]) == len(made.read()[2])
    assert served(server) == sorted(path.name for path in server.iterdir() if path.suffix != ".log")


JOB = """
import json, os, sys
from torchvision.datasets import MNIST
from actlab.data.mnist import MNISTDataModule
MNIST.resources = json.loads(os.environ["RESOURCES"])
datamodule = MNISTDataModule(data_dir=sys.argv[1], val_fraction=0.2)
datamodule.prepare_data()
datamodule.setup("fit")
print(len(datamodule.splits["train"][0]))
"""
"""A job's data preparation, as each process of a sweep does it."""


@pytest.mark.slow
def test_jobs_that_start_together_download_once(server: Path, tmp_path: Path) -> None:
    (server / "delay").write_text("0.1")  # each request takes a while: the jobs overlap
    env = {**os.environ, "RESOURCES": json.dumps(MNIST.resources)}
    data_dir = tmp_path / "data"
    jobs = [
        subprocess.Popen(
            [sys.executable, "-c", JOB, str(data_dir)], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    outputs = [job.communicate(timeout=300)[0] for job in jobs]
    assert [job.returncode for job in jobs] == [0, 0, 0, 0]
    assert [output.strip() for output in outputs] == ["80"] * 4
    assert served(server) == sorted(name for name, _ in MNIST.resources)  # each file once


@pytest.mark.slow
def test_offline_a_run_prints_the_message_alone(tmp_path: Path) -> None:
    result = run_cli("data=mnist", *LENET, cwd=tmp_path)
    assert result.returncode == 1
    assert "\nError: MNIST not found: looked for" in result.stderr
    assert "data.download=false only looks" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.slow
def test_offline_a_sweep_names_the_missing_data_once_for_all_its_jobs(tmp_path: Path) -> None:
    result = run_cli("-m", "data=mnist", *LENET, "seed=1,2,3", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    summary = result.stderr[result.stderr.index("3 of 3 jobs failed") :]
    assert summary.count("MNIST not found") == 1
    for job, seed in enumerate((1, 2, 3)):
        assert f"  job {job} [data=mnist" in summary and f"seed={seed}]" in summary
