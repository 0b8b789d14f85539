"""Random data in the real on-disk formats (MNIST's IDX files, CIFAR-10's python pickle batches),
read by torchvision's own readers: for tests and benchmarks where the real files are not at hand."""

import gzip
import pickle
import struct
from pathlib import Path

import numpy as np


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
