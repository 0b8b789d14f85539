"""Sweep throughput with jobs run side by side (Hydra's joblib launcher) against one after another.

    python benchmarks/concurrent_jobs.py             # 4 MLP jobs: basic launcher, joblib n_jobs=2
    python benchmarks/concurrent_jobs.py --jobs 8 --n-jobs 2 --n-jobs 4 model=lenet data=mnist

A small model leaves most of a GPU (or of a many-core CPU) idle, so several jobs at once can
finish a sweep sooner. The same `--jobs` jobs (seeds 1..N of the job the overrides describe,
by default 100 epochs of the breast-cancer MLP) run as one `python train.py -m` with the basic
launcher (one after another, in one process) and with `hydra/launcher=joblib
hydra.launcher.n_jobs=K` for each K (K processes, each importing the stack once), taking turns.
The figures are each sweep's median wall time and its jobs per minute as a multiple of the basic
launcher's. On a 2-core CPU, jobs compete for the same cores: expect little or no gain there.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from harness import take_turns

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
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("overrides", nargs="*", help=f"the job (default: {' '.join(JOB)})")
    args = parser.parse_args()
    overrides = args.overrides or JOB
    launchers = {"basic, one after another": []} | {
        f"joblib, n_jobs={k}": ["hydra/launcher=joblib", f"hydra.launcher.n_jobs={k}"]
        for k in args.n_jobs or [2]
    }
    with tempfile.TemporaryDirectory() as folder:

        def sweep(name: str) -> float:
            return sweep_seconds(args.jobs, launchers[name], overrides, Path(folder))

        times = take_turns(list(launchers), args.rounds, sweep)
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU"
    print(f"{args.jobs} jobs of {' '.join(overrides)}, on {device}")
    print(f"{'launcher':26} {'sweep':>9} {'jobs/min':>9} {'vs basic':>9}")
    basic = statistics.median(times["basic, one after another"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:26} {median:7.2f} s {60 * args.jobs / median:9.2f} {basic / median:9.3f}")


if __name__ == "__main__":
    main()
