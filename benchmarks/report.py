"""How long `actlab-report` takes on a large sweep, as a ratio to reading its files alone.

    python benchmarks/report.py                  # 500 runs: 10 activations x 5 models x 10 seeds
    python benchmarks/report.py --activations 3 --models 2 --seeds 2 --epochs 2     # a toy

It writes a sweep of synthetic records, each job folder as a run leaves it: metrics.json (its
history of epochs, best and test metrics, which weights were tested, its costs) and its
TensorBoard event file with the per-epoch curves, written by TensorBoard's own writer under the
tags actlab's logger uses. Scores rise with the activation's place and vary with the model and
the seed, rounded as an accuracy on 5,000 validation images is; one run in fifty failed. Then,
each in a fresh process as a user starts it, taking turns: the baseline, a process that reads
every record and event file (`load_runs`, the floor of any report), and the whole `actlab-report`
command (the tests, the ranking, the tables and every plot). The figures are the median wall time
of each and their ratio.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from harness import take_turns
from torch.utils.tensorboard import SummaryWriter

from actlab.loggers.tensorboard import tensorboard_tag
from actlab.storage.records import new_record, write_record

CURVES = ("val/loss", "val/acc", "val/f1", "train/loss")


def write_sweep(folder: Path, activations: int, models: int, seeds: int, epochs: int) -> int:
    """A finished sweep of synthetic runs in `folder`; returns the number of runs."""
    rng = np.random.default_rng(0)
    job = 0
    for model in range(models):
        for activation in range(activations):
            for seed in range(seeds):
                run_dir = folder / str(job)
                final = 0.9 + 0.004 * activation - 0.01 * model + rng.normal(0, 0.004)
                rises = 1 - np.exp(-np.arange(1, epochs + 1) / 2)
                accuracy = np.round((0.5 + (final - 0.5) * rises) * 5000) / 5000
                hparams = {"activation": f"act{activation}", "model": f"model{model}", "seed": seed}
                record = new_record("val/acc", "max", hparams, [], [])
                history = [
                    {"epoch": e, "epoch_time_s": 1.0 + rng.random(), "val/acc": float(a),
                     "val/loss": float(1 - a), "val/f1": float(a), "train/loss": float(1.1 - a)}
                    for e, a in enumerate(accuracy)
                ]  # fmt: skip
                best = int(np.argmax(accuracy))
                failed = rng.random() < 0.02
                record.update(
                    status="failed" if failed else "ok",
                    reason="RuntimeError: synthetic" if failed else None,
                    best_epoch=best,
                    best=history[best],
                    final=history[-1],
                    test={"test/acc": float(accuracy[best] - 0.002)},
                    tested={"weights": "best", "epoch": best},
                    num_params=100_000,
                    activation_params=0,
                    wall_time_s=float(epochs * 1.5),
                    history=history,
                )
                write_record(record, run_dir)
                writer = SummaryWriter(str(run_dir / "tensorboard" / "version_0"))
                for epoch, values in enumerate(history):
                    writer.add_scalar(tensorboard_tag("epoch"), epoch, epoch)
                    for tag in CURVES:
                        writer.add_scalar(tag, values[tag], epoch)
                writer.close()
                (run_dir / ".hydra").mkdir()
                (run_dir / ".hydra" / "overrides.yaml").write_text(json.dumps(hparams))
                job += 1
    return job


def seconds(command: list[str]) -> float:
    """Wall time of `command`, which must succeed."""
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activations", type=int, default=10)
    parser.add_argument("--models", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        sweep = Path(root) / "sweep"
        runs = write_sweep(sweep, args.activations, args.models, args.seeds, args.epochs)
        read = "from pathlib import Path; from actlab.report.runs import load_runs; "
        commands = {
            "reading the files": [
                sys.executable,
                "-c",
                read + f"load_runs([Path({str(sweep)!r})])",
            ],
            "actlab-report": [sys.executable, "-m", "actlab.cli.report", str(sweep)],
        }
        times = take_turns(list(commands), args.rounds, lambda name: seconds(commands[name]))
    print(
        f"{runs} runs ({args.activations} activations x {args.models} models x {args.seeds} "
        f"seeds, {args.epochs} epochs each); median of {args.rounds} rounds"
    )
    baseline = statistics.median(times["reading the files"])
    print(f"{'':20}{'seconds':>10}{'ratio':>10}")
    for name, measured in times.items():
        median = statistics.median(measured)
        print(f"{name:20}{median:10.2f}{median / baseline:10.3f}")


if __name__ == "__main__":
    main()
