"""Random data in the real on-disk formats (MNIST's IDX files, CIFAR-10's and CIFAR-100's python
pickle batches, SVHN's MATLAB files), read by torchvision's own readers: for tests and benchmarks
where the real files are not at hand."""

import gzip
import pickle
import struct
from pathlib import Path

import numpy as np
import scipy.io
from torchvision.datasets import CIFAR10, SVHN


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


def write_cifar_batches(
    folder: Path, dataset_class: type[CIFAR10] = CIFAR10, train: int = 10, test: int = 3
) -> None:
    """Random 32x32 colour images as the python pickle batches of torchvision's `dataset_class`
    (CIFAR-10's five training batches, or CIFAR-100's one with fine and coarse labels), `train`
    training and `test` test images per class, labels cycling through the classes."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    fine = dataset_class.meta["key"] == "fine_label_names"  # CIFAR-100's
    classes = 100 if fine else 10
    train_names = [name for name, _ in dataset_class.train_list]
    names = [(name, train * classes // len(train_names)) for name in train_names]
    names += [(name, test * classes) for name, _ in dataset_class.test_list]
    for name, count in names:
        labels = [index % classes for index in range(count)]
        entry = {
            "batch_label": name,
            **({"fine_labels": labels, "coarse_labels": [label // 5 for label in labels]}
               if fine else {"labels": labels}),
            "data": rng.integers(0, 256, size=(count, 3 * 32 * 32), dtype=np.uint8),
            "filenames": [f"{name}_{index}.png" for index in range(count)],
        }  # fmt: skip
        (folder / name).write_bytes(pickle.dumps(entry))
    meta = {dataset_class.meta["key"]: [f"class_{index}" for index in range(classes)]}
    if fine:
        meta["coarse_label_names"] = [f"superclass_{index}" for index in range(classes // 5)]
    (folder / dataset_class.meta["filename"]).write_bytes(pickle.dumps(meta))


def write_svhn_files(folder: Path, train: int = 100, test: int = 50) -> None:
    """Random 32x32 colour digits as SVHN's `train_32x32.mat` and `test_32x32.mat` (MATLAB files:
    images `X` of shape 32x32x3xN, labels `y` 1 to 10, 10 for the digit 0)."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    for split, count in (("train", train), ("test", test)):
        images = rng.integers(0, 256, size=(32, 32, 3, count), dtype=np.uint8)
        labels = (np.arange(count, dtype=np.uint8) % 10 + 1)[:, None]
        scipy.io.savemat(folder / SVHN.split_list[split][1], {"X": images, "y": labels})
