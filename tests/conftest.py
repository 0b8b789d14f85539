"""Fixtures: tiny datasets where torchvision looks for them, and in-process Hydra composition."""

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import write_mnist_files
from hydra import compose, initialize_config_dir
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from actlab.train import CONFIG_DIR


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder holding tiny MNIST and Fashion-MNIST files where torchvision looks."""
    root = tmp_path / "data"
    write_mnist_files(root / "MNIST" / "raw")
    write_mnist_files(root / "FashionMNIST" / "raw", gz=True)
    return root


@pytest.fixture
def compose_run(tmp_path: Path) -> Callable[..., DictConfig]:
    """Compose `conf/train.yaml` with overrides, as `python train.py` would, outputs in tmp_path."""

    def _compose(*overrides: str) -> DictConfig:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            cfg = compose(
                "train",
                overrides=[
                    f"paths.root_dir={tmp_path}",
                    f"paths.output_dir={tmp_path / 'run'}",
                    *overrides,
                ],
                return_hydra_config=True,
            )
        HydraConfig.instance().set_config(cfg)
        return cfg

    return _compose
