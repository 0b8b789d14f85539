"""Every benchmark of actlab's speed on this machine, one after another, with each one's output.

    python benchmarks/all.py            # about 10 minutes on a 2-core CPU
    python benchmarks/all.py --quick    # every script at a toy size: does everything still run?

Each figure is a ratio against a baseline measured in the same script (see each script's
docstring): training throughput against a plain PyTorch loop, the data pipeline against
torchvision's per-sample loader, a whole `python train.py` against a plain script, the overhead
of each job of a multirun, a sweep's jobs side by side against one after another, a sweep in
stacks against its runs alone (make sweep's), the cost of the diagnostics callback and the
adaptive activations, every activation's time and memory against ReLU's, and a report of 500
runs against reading their files.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

import torch

BENCHMARKS = Path(__file__).parent

RUNS = {
    "throughput.py": ([], ["--cases", "mlp", "--rounds", "1", "--scale", "0.02"]),
    "data_pipeline.py": ([], ["--batches", "5", "--rounds", "1"]),
    "whole_run.py": ([], ["--rounds", "1", "--warmup", "0", "+trainer.limit_train_batches=3"]),
    "multirun.py": ([], ["--jobs", "2", "--rounds", "1"]),
    "concurrent_jobs.py": (
        [],
        ["--jobs", "2", "data=breast_cancer", "model=mlp", "trainer.max_epochs=1"],
    ),
    "stacked_sweep.py": (
        ["--stack", "12", "--memory", "12", "experiment=breast_cancer_activations"],
        [
            "--stack",
            "2",
            "--memory",
            "2",
            "data=breast_cancer",
            "model=mlp",
            "seed=0,1",
            "trainer.max_epochs=1",
        ],
    ),
    "diagnostics.py": (["--rounds", "4"], ["--steps", "4", "--every", "2", "--rounds", "1"]),
    "report.py": (
        [],
        ["--activations", "3", "--models", "2", "--seeds", "2", "--epochs", "2", "--rounds", "1"],
    ),
    "activation_cost.py": ([], ["relu", "gelu", "pau", "--batch", "2", "--rounds", "1"]),
    "adaptive_activations.py": (
        ["--models", "lenet", "--activations", "relu", "arelu", "adaptive_mix"],
        ["--models", "lenet", "--steps", "1", "--warmup", "1", "--rounds", "1"],
    ),
}
"""Each script with its arguments for a full run and for a quick one."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="toy sizes: checks, not figures")
    parser.add_argument("--only", nargs="+", choices=list(RUNS), default=list(RUNS))
    args = parser.parse_args()
    device = torch.cuda.get_device_name() if torch.cuda.is_available() else "CPU"
    print(f"{device}, torch {torch.__version__}, {torch.get_num_threads()} threads", flush=True)
    start = time.perf_counter()
    for script in args.only:
        full, quick = RUNS[script]
        command = [sys.executable, str(BENCHMARKS / script), *(quick if args.quick else full)]
        print(f"\n$ python benchmarks/{script} {' '.join(command[2:])}", flush=True)
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        print(result.stdout.rstrip(), flush=True)
        if result.returncode:
            sys.exit(f"benchmarks/{script} failed:\n{result.stderr}")
    print(f"\nall benchmarks: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
