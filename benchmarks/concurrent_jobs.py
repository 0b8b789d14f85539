"""Sweep throughput with jobs run side by side (Hydra's joblib launcher) against one after another.

    python benchmarks/concurrent_jobs.py             # 4 MLP jobs: basic launcher, joblib n_jobs=2
    python benchmarks/concurrent_jobs.py --jobs 8 --n-jobs 2 --n-jobs 4 model=lenet data=mnist
    python benchmarks/concurrent_jobs.py --jobs 4 --per-gpu 1 --per-gpu 4 data=fashion_mnist \
        model=lenet trainer.max_epochs=2 activation=relu,gelu,silu,tanh      # 16 runs

A small model leaves most of a GPU (or of a many-core CPU) idle, so several jobs at once can
finish a sweep sooner. The same `--jobs` jobs (seeds 1..N of the job the overrides describe,
by default 100 epochs of the breast-cancer MLP) run as one `python train.py -m` with the basic
launcher (one after another, in one process) and with `hydra/launcher=joblib
hydra.launcher.n_jobs=K` for each K (K processes, each importing the stack once), taking turns.
With `--per-gpu K`, the same sweep runs with `placement=gpus placement.per_gpu=K`: K jobs at once
on each GPU (on a machine without one, K at once on the CPU, as if it were GPU 0). The figures
are each sweep's median wall time and its runs per minute as a multiple of the first launcher's
(basic, or placement with the first K).
Fashion-MNIST is made first (the real files where Debian's package has them, random ones in
their format otherwise), so no job downloads. On a 2-core CPU, jobs compete for the same cores:
expect little or no gain there.
"""

import argparse
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from harness import fashion_mnist, take_turns
from hydra.core.override_parser.overrides_parser import OverridesParser

REPO = Path(__file__).parents[1]
JOB = ["data=breast_cancer", "model=mlp", "trainer.max_epochs=100"]


def sweep_seconds(jobs: int, launcher: list[str], overrides: list[str], folder: Path) -> float:
    """Wall time of `python train.py -m` over seeds 1..`jobs` with `launcher` overrides."""
    seeds = ",".join(str(seed) for seed in range(1, jobs + 1))
    command = [
        sys.executable, str(REPO / "train.py"), "-m", *overrides, f"seed={seeds}", *launcher,
        f"paths.root_dir={folder}", f"hydra.sweep.dir={folder}/sweep_{time.monotonic_ns()}",
    ]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument(
        "--n-jobs", type=int, action="append", help="joblib's n_jobs, repeatable (default: 2)"
    )
    parser.add_argument(
        "--per-gpu", type=int, action="append", default=[], help="placement.per_gpu, repeatable"
    )
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("overrides", nargs="*", help=f"the job (default: {' '.join(JOB)})")
    args = parser.parse_intermixed_args()
    overrides = args.overrides or JOB
    swept = [
        o for o in OverridesParser.create().parse_overrides(overrides) if o.is_sweep_override()
    ]
    runs = args.jobs * math.prod(len(list(override.sweep_string_iterator())) for override in swept)
    on_cpu = [] if torch.cuda.is_available() else ["placement.devices=[0]"]
    basic = {} if args.per_gpu else {"basic, one after another": []}  # per_gpu=1 is one at a time
    joblib = {
        f"joblib, n_jobs={k}": ["hydra/launcher=joblib", f"hydra.launcher.n_jobs={k}"]
        for k in args.n_jobs or ([] if args.per_gpu else [2])
    }
    placed = {
        f"placement=gpus, per_gpu={k}": ["placement=gpus", f"placement.per_gpu={k}", *on_cpu]
        for k in args.per_gpu
    }
    launchers = basic | joblib | placed
    with tempfile.TemporaryDirectory() as folder:
        if "data=fashion_mnist" in overrides:
            data = fashion_mnist(Path(folder) / "data")[0]
            overrides = [*overrides, f"paths.data_dir={data.data_dir}"]

        def sweep(name: str) -> float:
            return sweep_seconds(args.jobs, launchers[name], overrides, Path(folder))

        times = take_turns(list(launchers), args.rounds, sweep)
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU"
    print(f"{runs} runs of {' '.join(overrides)} seed=1..{args.jobs}, on {device}")
    first = next(iter(times))
    print(f"{'launcher':28} {'sweep':>9} {'runs/min':>9} {'vs the first':>13}")
    baseline = statistics.median(times[first])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:28} {median:7.2f} s {60 * runs / median:9.2f} {baseline / median:13.3f}")


if __name__ == "__main__":
    main()
