"""What a sweep pays for running as a SLURM job array, against the same sweep on Hydra's basic
launcher (one job after another in the sweep's own process).

    python benchmarks/slurm_sweep.py              # make sweep's 12 runs, 2 rounds (about 4 minutes)
    python benchmarks/slurm_sweep.py --jobs 2 --epochs 1 --rounds 1   # a toy size

Needs a SLURM cluster: it starts the one-node cluster of tests/slurm/cluster.sh (root) unless
SLURM_CONF names a running one. The sweep is `make sweep`'s breast-cancer MLP over --jobs
activations and seeds. Timed as whole `python train.py -m` commands, taking turns: the basic
launcher; the SLURM array one job at a time (array_parallelism=1, as the basic launcher runs
them); and the array with a job on each of the node's CPUs (slurm_cpu: one CPU a job). The
overhead per job is the one-at-a-time array's time less the basic sweep's, over the jobs: each
job's own Python start, imports and Hydra set-up, SLURM's scheduling and squeue polls.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import take_turns

REPO = Path(__file__).parents[1]
ACTIVATIONS = ["relu", "elu", "gelu", "sigmoid", "tanh", "silu"]
LAUNCHERS = {
    "basic": [],
    "slurm, 1 at a time": ["hydra/launcher=slurm_cpu", "hydra.launcher.array_parallelism=1"],
    "slurm, 1 per CPU": ["hydra/launcher=slurm_cpu"],
}


def cluster_conf() -> str:
    """SLURM_CONF of a running cluster: the caller's, or tests/slurm/cluster.sh's."""
    if os.environ.get("SLURM_CONF"):
        return os.environ["SLURM_CONF"]
    started = subprocess.run(
        ["bash", str(REPO / "tests" / "slurm" / "cluster.sh"), "start"],
        check=True,
        capture_output=True,
        text=True,
    )
    return started.stdout.strip().splitlines()[-1].removeprefix("export SLURM_CONF=")


def sweep_seconds(launcher: str, grid: list[str], root: str, conf: str) -> float:
    """Wall time of the sweep `grid` on `launcher`, as a whole `python train.py -m` command."""
    command = [sys.executable, str(REPO / "train.py"), "-m", *grid, *LAUNCHERS[launcher]]
    start = time.perf_counter()
    subprocess.run(
        [*command, f"paths.root_dir={root}"],
        check=True,
        capture_output=True,
        cwd=root,
        env={**os.environ, "SLURM_CONF": conf},
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--jobs", type=int, default=12, help="an even number: activations x 2 seeds"
    )
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    activations = ",".join(ACTIVATIONS[: args.jobs // 2])
    grid = [
        "data=breast_cancer", "model=mlp", f"trainer.max_epochs={args.epochs}",
        f"activation={activations}", "seed=1,2", "callbacks.progress_bar=null",
    ]  # fmt: skip
    conf = cluster_conf()
    with tempfile.TemporaryDirectory() as root:
        times = take_turns(
            list(LAUNCHERS), args.rounds, lambda name: sweep_seconds(name, grid, root, conf)
        )
    median = {name: statistics.median(seconds) for name, seconds in times.items()}
    jobs = args.jobs // 2 * 2
    print(f"{jobs} jobs: breast-cancer MLP, {args.epochs} epochs each; median of {args.rounds}")
    for name, seconds in median.items():
        ratio = seconds / median["basic"]
        print(f"{name:20s} {seconds:7.1f} s  {seconds / jobs:5.2f} s a job  {ratio:4.2f}x basic")
    overhead = (median["slurm, 1 at a time"] - median["basic"]) / jobs
    print(f"overhead of the array per job, one at a time: {overhead:.2f} s")


if __name__ == "__main__":
    main()
