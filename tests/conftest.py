"""Fixtures: no network, tiny datasets where torchvision looks for them, and in-process Hydra
composition."""

import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch
from hydra import compose, initialize_config_dir
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig
from torchvision.datasets import CIFAR10

from actlab.config import CONFIG_DIR
from actlab.data.synthetic import write_cifar_batches, write_mnist_files

# The tests' tensors are tiny: starting intra-op threads for them costs more than they gain (a
# quarter of the fast tier's time on 2 cores), and `make test` runs one test process per core.
# Commands that tests start (run_cli) keep torch's own default.
torch.set_num_threads(1)

OFFLINE = Path(__file__).parent / "offline"
"""Holds the sitecustomize module that keeps every test process off the network."""


@pytest.fixture(autouse=True, scope="session")
def offline() -> Iterator[None]:
    """No test, nor any process a test starts, reaches the network (offline/sitecustomize.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(OFFLINE))
        patch.setenv(
            "PYTHONPATH", os.pathsep.join([str(OFFLINE), os.environ.get("PYTHONPATH", "")])
        )
        import sitecustomize  # noqa: F401  (replaces urllib's urlopen in this process)

        assert sys.modules["sitecustomize"].__file__ == str(OFFLINE / "sitecustomize.py")
        yield


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder holding tiny MNIST and Fashion-MNIST files where torchvision looks."""
    root = tmp_path / "data"
    write_mnist_files(root / "MNIST" / "raw")
    write_mnist_files(root / "FashionMNIST" / "raw", gz=True)
    return root


@pytest.fixture
def cifar_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Tiny CIFAR-10 batches in `data/cifar-10-batches-py`, their md5 sums registered with
    torchvision's reader (which checks every file's md5 before reading it)."""
    folder = tmp_path / "data" / CIFAR10.base_folder
    write_cifar_batches(folder)

    def md5(name: str) -> str:
        return hashlib.md5((folder / name).read_bytes()).hexdigest()

    for listing in ("train_list", "test_list"):
        files = [[name, md5(name)] for name, _ in getattr(CIFAR10, listing)]
        monkeypatch.setattr(CIFAR10, listing, files)
    monkeypatch.setattr(CIFAR10, "meta", {**CIFAR10.meta, "md5": md5(CIFAR10.meta["filename"])})
    return folder


@pytest.fixture
def compose_run(tmp_path: Path) -> Iterator[Callable[..., DictConfig]]:
    """Compose `conf/train.yaml` with overrides, as `python train.py` would, outputs in tmp_path.

    Hydra stays initialised for the test, as in the app, so code can compose other options.
    """

    def _compose(*overrides: str) -> DictConfig:
        cfg = compose(
            "train",
            overrides=[
                f"paths.root_dir={tmp_path}",
                f"paths.output_dir={tmp_path / 'run'}",
                *overrides,
            ],
            return_hydra_config=True,
        )
        cfg.hydra.runtime.output_dir = str(tmp_path / "run")  # Hydra sets it as a run starts
        HydraConfig.instance().set_config(cfg)
        return cfg

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        yield _compose
