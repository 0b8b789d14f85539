"""Per-job overhead of a multirun: what a sweep of short jobs spends besides training steps.

    python benchmarks/multirun.py                 # sweeps of 1 and 8 jobs, one short epoch each

Each job is one epoch of the breast-cancer MLP (12 training steps of 32 samples, validation, the
test of its best checkpoint, its records). The whole `python train.py -m` process is timed for a
sweep of 1 job and of `--jobs` jobs (seeds 1..N), alternating, and the training steps (timed by
the plain PyTorch loop over the same model, data and optimizer, in this process) are subtracted:
the figures are the start-up of a sweep (Python, imports, Hydra) and the overhead of each further
job (building, validating, testing, checkpoints, TensorBoard, metrics.json).
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from harness import configs, datamodule, plain_loop_seconds, take_turns

REPO = Path(__file__).parents[1]
JOB = ["data=breast_cancer", "model=mlp", "trainer.max_epochs=1"]


def sweep_seconds(jobs: int, root: str) -> float:
    """Wall time of `python train.py -m` over `jobs` seeds of the short job."""
    seeds = ",".join(str(seed) for seed in range(1, jobs + 1))
    command = [sys.executable, str(REPO / "train.py"), "-m", *JOB, f"seed={seeds}"]
    start = time.perf_counter()
    subprocess.run([*command, f"paths.root_dir={root}"], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with configs() as compose:
        cfg = compose(*JOB)
        data, _ = datamodule(cfg)
        data.setup("fit")
        steps = len(data.train_dataloader())
        step_seconds = statistics.median(
            plain_loop_seconds(cfg, data, 0, steps, torch.device("cpu")) for _ in range(5)
        )
    with tempfile.TemporaryDirectory() as root:
        times = take_turns([1, args.jobs], args.rounds, lambda jobs: sweep_seconds(jobs, root))
    one, many = (statistics.median(times[jobs]) for jobs in (1, args.jobs))
    per_job = (many - one) / (args.jobs - 1) - step_seconds
    print(f"breast-cancer MLP, {steps} steps per job ({step_seconds * 1e3:.1f} ms in a plain loop)")
    print(f"sweep of 1 job        {one:7.2f} s")
    print(f"sweep of {args.jobs} jobs {many:10.2f} s")
    print(f"start-up of a sweep   {one - step_seconds:7.2f} s")
    print(f"overhead per job      {per_job:7.2f} s")


if __name__ == "__main__":
    main()
