"""Whole-process time of `python train.py` for one epoch of LeNet-5 on Fashion-MNIST, against the
plain script that does the same work (`benchmarks/plain_run.py`), in one run.

    python benchmarks/whole_run.py

Both read the same files: the real Fashion-MNIST when the Debian package has it, random files in
its format otherwise (the output says which). Each contender runs `--warmup` times untimed (file
caches, bytecode), then they take turns for `--rounds` rounds, the one going first alternating. The
figure is the median wall time of one process, start to exit, and its ratio to the plain one.
actlab's run keeps its defaults: sanity validation, metrics, TensorBoard, checkpoints, the test
of the best checkpoint, metrics.json, and the progress bar (drawn into a pipe). Two more rows
time what each process spends importing (a process that imports what the script imports and
exits), the part of the gap that the stack (Lightning, torchmetrics, Hydra) costs before any
work starts.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import fashion_mnist, take_turns

BENCHMARKS = Path(__file__).parent


def seconds(command: list[str]) -> float:
    """Wall time of `command`, which must succeed."""
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs of each first")
    parser.add_argument("overrides", nargs="*", help="more overrides for train.py")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        _, source = fashion_mnist(data_dir)
        train = [
            sys.executable, str(BENCHMARKS.parent / "train.py"), "data=fashion_mnist",
            "model=lenet", "trainer.max_epochs=1", f"paths.root_dir={folder}",
            f"paths.data_dir={data_dir}", *args.overrides,
        ]  # fmt: skip
        imports = [sys.executable, "-c"]
        contenders = {
            "plain script": [sys.executable, str(BENCHMARKS / "plain_run.py"), str(data_dir)],
            "python train.py": train,
            "plain's imports": [*imports, "import torch, torchvision.datasets"],
            "train.py's imports": [*imports, "import actlab.run.recipe"],
        }
        for _ in range(args.warmup):
            for command in contenders.values():
                seconds(command)
        times = take_turns(list(contenders), args.rounds, lambda name: seconds(contenders[name]))
    print(f"one epoch of LeNet-5 on {source}, {args.rounds} rounds")
    baseline = statistics.median(times["plain script"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:18} {median:8.2f} s {median / baseline:7.3f}")


if __name__ == "__main__":
    main()
