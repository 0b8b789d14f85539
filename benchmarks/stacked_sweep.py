"""A sweep trained in stacks (`hydra/sweeper=stacking stack.size=K`: K runs as one model in one
Trainer) against the same sweep with every run alone, one after another.

    python benchmarks/stacked_sweep.py --stack 12 experiment=breast_cancer_activations  # make sweep
    python benchmarks/stacked_sweep.py --stack 16 data=fashion_mnist model=lenet \
        trainer.max_epochs=1 activation=relu,gelu,silu,tanh seed=1,2,3,4           # 16 LeNet runs

Each sweep is one whole `python train.py -m` (imports, composing every job's config, every run's
folder, record, checkpoints and TensorBoard files), solo (the basic launcher, one run after
another in one process), with each `--stack K` (and fused, `stack.fuse=true`, with `--fused`) and
with each `--per-gpu K` (solo runs K at once on each GPU: `placement=gpus`), taking turns
`--rounds` times. The figures:
each sweep's median wall time, its runs per minute, how many times sooner than solo it ends, and
its peak memory (the sweep process's maximum resident set, and on a GPU the most device memory in
use beyond what was in use before it).
With `--memory K`, also one run alone against a stack of K of its seeds: what a stack of K costs
in memory. Fashion-MNIST is made first (the real files where Debian's package has them, random
ones in their format otherwise), so no job downloads.
"""

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from harness import fashion_mnist, take_turns
from hydra.core.override_parser.overrides_parser import OverridesParser

REPO = Path(__file__).parents[1]
MEASURED = """
import json, resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(json.dumps(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
"""
"""Runs a command and prints its peak resident set (KiB): the sweep's own, not the benchmark's."""


@contextmanager
def gpu_memory_peak() -> Iterator[list[float]]:
    """The most GPU memory (MiB) in use while the block runs beyond what was in use before it,
    polled every 50 ms (every process's: the sweep's own run in processes of their own); stays
    0 without a GPU."""
    peak = [0.0]
    if not torch.cuda.is_available():
        yield peak
        return
    free, total = torch.cuda.mem_get_info()
    before, stop = total - free, threading.Event()

    def poll() -> None:
        while not stop.wait(0.05):
            free, total = torch.cuda.mem_get_info()
            peak[0] = max(peak[0], (total - free - before) / 2**20)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()


def sweep(overrides: list[str], folder: Path) -> tuple[float, float, float]:
    """Wall time (s), peak resident memory (MiB) and peak GPU memory (MiB, 0 without a GPU) of
    `python train.py -m OVERRIDES`."""
    command = [
        sys.executable, str(REPO / "train.py"), "-m", *overrides, f"paths.root_dir={folder}",
        f"hydra.sweep.dir={folder}/sweep_{time.monotonic_ns()}", "callbacks.progress_bar=null",
    ]  # fmt: skip
    start = time.perf_counter()
    with gpu_memory_peak() as on_gpu:
        peak = subprocess.run(
            [sys.executable, "-c", MEASURED, *command], check=True, capture_output=True, text=True
        ).stdout
    return time.perf_counter() - start, json.loads(peak) / 1024, on_gpu[0]


def runs_of(overrides: list[str]) -> int:
    """How many runs the sweep of `overrides` has: its grid, times the 12 activations of
    `experiment=breast_cancer_activations` (make sweep's) where it is named."""
    parsed = OverridesParser.create().parse_overrides(overrides)
    runs = math.prod(len(list(o.sweep_string_iterator())) for o in parsed if o.is_sweep_override())
    return runs * (12 if "experiment=breast_cancer_activations" in overrides else 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", type=int, action="append", required=True, help="repeatable")
    parser.add_argument("--fused", action="store_true", help="each --stack K fused too")
    parser.add_argument(
        "--per-gpu", type=int, action="append", default=[], help="K solo jobs at once per GPU"
    )
    parser.add_argument("--memory", type=int, help="a stack of this many seeds against one run")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("overrides", nargs="+", help="the sweep")
    args = parser.parse_intermixed_args()
    overrides = args.overrides
    stacked = ["hydra/sweeper=stacking"]
    sweeps = {"solo, one after another": []} | {
        f"stack.size={k}": [*stacked, f"stack.size={k}"] for k in args.stack
    }
    if args.fused:
        sweeps |= {
            f"stack.size={k}, fused": [*stacked, f"stack.size={k}", "stack.fuse=true"]
            for k in args.stack
        }
    on_cpu = [] if torch.cuda.is_available() else ["placement.devices=[0]"]
    sweeps |= {
        f"placement, per_gpu={k}": ["placement=gpus", f"placement.per_gpu={k}", *on_cpu]
        for k in args.per_gpu
    }
    if args.memory:  # the sweep's first run, its axes (the command's, the experiment's) left out
        parsed = OverridesParser.create().parse_overrides(overrides)
        one = [o.input_line for o in parsed if not o.is_sweep_override()]
        one += ["hydra.sweeper.params=null"]
        seeds = ",".join(str(seed) for seed in range(args.memory))
        sweeps |= {
            "memory: one run": [*one, "seed=0"],
            f"memory: a stack of {args.memory}": [
                *one,
                f"seed={seeds}",
                *stacked,
                f"stack.size={args.memory}",
            ],
        }
    peaks: dict[str, list[float]] = {name: [] for name in sweeps}
    gpu_peaks: dict[str, list[float]] = {name: [] for name in sweeps}
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        if "data=fashion_mnist" in overrides:
            print(f"({fashion_mnist(data_dir)[1]})")
        located = [f"paths.data_dir={data_dir}"]

        def measure(name: str) -> float:
            extra = sweeps[name]
            command = extra if name.startswith("memory") else [*overrides, *extra]
            seconds, peak, gpu_peak = sweep([*command, *located], Path(folder))
            peaks[name].append(peak)
            gpu_peaks[name].append(gpu_peak)
            return seconds

        times = take_turns(list(sweeps), args.rounds, measure)
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU"
    runs = runs_of(overrides)
    print(f"{runs} runs of {' '.join(args.overrides)}, on {device}")
    gpu = torch.cuda.is_available()
    print(
        f"{'sweep':30} {'wall':>9} {'runs/min':>9} {'x sooner':>9} {'peak RSS':>10}"
        + (f" {'peak GPU':>10}" if gpu else "")
    )
    solo = statistics.median(times["solo, one after another"])
    for name, values in times.items():
        median = statistics.median(values)
        peak = f"{max(peaks[name]):7.0f} MiB" + (f" {max(gpu_peaks[name]):6.0f} MiB" if gpu else "")
        if name.startswith("memory"):
            print(f"{name:30} {median:7.2f} s {'':9} {'':9} {peak}")
            continue
        print(f"{name:30} {median:7.2f} s {60 * runs / median:9.2f} {solo / median:9.3f} {peak}")


if __name__ == "__main__":
    main()
