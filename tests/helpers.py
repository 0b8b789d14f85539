"""Helpers the tests share: tiny datasets in their real formats, configs, the command line."""

import gzip
import os
import pickle
import struct
import subprocess
import sys
from pathlib import Path

import lightning as L
import numpy as np
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate

from actlab.train import CONFIG_DIR

REPO = CONFIG_DIR.parent

FAST = [
    "trainer.accelerator=cpu",
    "trainer.max_epochs=2",
    "callbacks.progress_bar=null",
    "callbacks.model_summary=null",
]
"""Overrides that keep a run short and quiet in tests."""


def quiet_trainer(**options: object) -> L.Trainer:
    """A CPU Trainer without logger, checkpoints, progress bar or summary, unless `options` say
    otherwise."""
    quiet = {
        "accelerator": "cpu",
        "logger": False,
        "enable_checkpointing": False,
        "enable_progress_bar": False,
        "enable_model_summary": False,
    }
    return L.Trainer(**(quiet | options))


TINY_MODEL = {
    "alexnet": ["model.width=0.0625"],
    "convnet": ["model.channels=[4,8,8]", "model.hidden=16"],
    "densenet": ["model.width=0.125", "model.blocks=[1,2,1,1]"],
    "googlenet": ["model.width=0.0625"],
    "lenet": ["model.channels=[3,4]", "model.hidden=[16,8]"],
    "mlp": ["model.hidden=[16,8]"],
    "resnet": ["model.width=0.0625"],
    "s4_cnn": ["model.channels=[4,8]", "model.hidden=16"],
}
"""Overrides that make each model of the group tiny."""

ACTIVATIONS = sorted(path.stem for path in (CONFIG_DIR / "activation").glob("*.yaml"))
"""Every option of the activation group."""


def activation_factory(name: str, *overrides: str):
    """The factory that `python train.py activation=NAME` hands to the model."""
    with initialize_config_dir(config_dir=str(CONFIG_DIR / "activation"), version_base="1.3"):
        return instantiate(compose(name, overrides=list(overrides)))


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write `array` (uint8) as an IDX file: the format of MNIST and Fashion-MNIST."""
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as file:
        file.write(header + array.astype(np.uint8).tobytes())


def write_mnist_files(folder: Path, train: int = 100, test: int = 50, gz: bool = False) -> None:
    """Random 28x28 digits with balanced labels, as the four files torchvision reads."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    for prefix, count in (("train", train), ("t10k", test)):
        images = rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
        labels = np.arange(count, dtype=np.uint8) % 10
        write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", labels)


CIFAR_CLASSES = [
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
]  # fmt: skip


def write_cifar_batches(folder: Path, per_batch: int = 20, test: int = 30) -> None:
    """Random 32x32 colour images as CIFAR-10's python pickle batches, as torchvision reads them."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    batches = [(f"data_batch_{index}", per_batch) for index in range(1, 6)] + [("test_batch", test)]
    for name, count in batches:
        entry = {
            "batch_label": name,
            "labels": [index % 10 for index in range(count)],
            "data": rng.integers(0, 256, size=(count, 3 * 32 * 32), dtype=np.uint8),
            "filenames": [f"{name}_{index}.png" for index in range(count)],
        }
        (folder / name).write_bytes(pickle.dumps(entry))
    meta = {"label_names": CIFAR_CLASSES, "num_cases_per_batch": per_batch, "num_vis": 3072}
    (folder / "batches.meta").write_bytes(pickle.dumps(meta))


def run_cli(*args: str, cwd: Path, script: str = "train.py") -> subprocess.CompletedProcess:
    """`python SCRIPT ARGS` (train.py or eval.py) from `cwd`, as a user runs it; returns exit
    status and output."""
    env = {**os.environ, "HYDRA_FULL_ERROR": "0", "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, str(REPO / script), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
