"""Images/s of actlab's data pipeline against torchvision's per-sample DataLoader, in one run.

    python benchmarks/data_pipeline.py                      # Fashion-MNIST, batch 128

Both read the same IDX files through torchvision's reader: the real Fashion-MNIST when the Debian
package (or `data_dir`) has it, else random files in its format (the output says which). actlab's
pipeline is the training split of its DataModule (held as one uint8 tensor) batched by
`TensorBatches` and normalised per batch, as training gets it; torchvision's is the loader of its
tutorials, `FashionMNIST(transform=Compose([ToTensor(), Normalize(...)]))` in a shuffling
`DataLoader`, with 0 and 2 worker processes. Each figure is the median of `--rounds` passes over
`--batches` batches; the ratios are actlab's images/s over each loader's.
"""

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import torch
from harness import fashion_mnist
from torch.utils.data import DataLoader
from torchvision import transforms
from torchvision.datasets import FashionMNIST


def images_per_s(batches: Iterable, count: int) -> float:
    """Images/s of the first `count` batches of `batches`, as training receives them."""
    start, images = time.perf_counter(), 0
    for index, (inputs, _) in enumerate(batches):
        if index == count:
            break
        images += len(inputs)
    return images / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=200, help="batches per pass")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data, source = fashion_mnist(Path(folder))
        data.setup("fit")
        # The same standardisation, in ToTensor's units (pixels / 255).
        mean, std = ((values / 255).flatten().tolist() for values in data.scaling.buffers())
        tutorial = transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean, std)])
        dataset = FashionMNIST(folder, train=True, transform=tutorial)
        contenders = {
            "actlab": lambda: (data.on_after_batch_transfer(b, 0) for b in data.train_dataloader()),
            **{
                f"torchvision, {workers} workers": lambda workers=workers: DataLoader(
                    dataset, batch_size=data.batch_size, shuffle=True, num_workers=workers
                )
                for workers in (0, 2)
            },
        }
        speeds: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(args.rounds):
            for name, batches in contenders.items():
                speeds[name].append(images_per_s(batches(), args.batches))
    print(f"torch {torch.__version__}, {source}, batch {data.batch_size}, {args.batches} batches")
    actlab = statistics.median(speeds["actlab"])
    print(f"{'loader':28} {'images/s':>12} {'actlab is':>10}")
    for name, values in speeds.items():
        speed = statistics.median(values)
        print(f"{name:28} {speed:12.0f} {actlab / speed:9.1f}x")


if __name__ == "__main__":
    main()
