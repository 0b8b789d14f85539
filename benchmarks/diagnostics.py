"""Cost of `callbacks=diagnostics` at its default interval, as a ratio to the same training without.

    python benchmarks/diagnostics.py                     # LeNet on Fashion-MNIST-shaped data

Both contenders train the same model (built from its config as `python train.py` builds it)
through actlab's Classifier and a Lightning Trainer, on random data of the dataset's shape held in
memory, for the same number of steps; they take turns, round after round, the one going first
alternating, so that drift of the machine falls on both. The figures are the median wall time of
one fit per contender and its ratio, and the time spent inside the callback's hooks as a share of
the fit without it: fits here vary by several percent from one to the next, that time does not.
"""

import argparse
import statistics
import time
from functools import partial
from typing import Any

import lightning as L
import torch
from hydra import compose, initialize_config_dir

from actlab.callbacks.diagnostics import Diagnostics
from actlab.config import CONFIG_DIR
from actlab.config.build import build_model
from actlab.data.batches import TensorBatches
from actlab.training.classifier import Classifier
from actlab.utils.allocator import steady_malloc


class TimedDiagnostics(Diagnostics):
    """Diagnostics that add up the time spent in their hooks."""

    def __init__(self, every_n_steps: int) -> None:
        super().__init__(every_n_steps)
        self.seconds = 0.0

    def on_train_batch_start(self, *args: Any) -> None:
        start = time.perf_counter()
        super().on_train_batch_start(*args)
        self.seconds += time.perf_counter() - start

    def on_before_optimizer_step(self, *args: Any) -> None:
        start = time.perf_counter()
        super().on_before_optimizer_step(*args)
        self.seconds += time.perf_counter() - start


def fit_seconds(
    model: str, batches: TensorBatches, steps: int, diagnostics: TimedDiagnostics | None
) -> float:
    """Wall time of one fit of `steps` steps, with `diagnostics` or without."""
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("train", [f"model={model}"])
    net = build_model(cfg, tuple(batches.tensors[0].shape[1:]), num_classes=10)
    classifier = Classifier(net, 10, optimizer=partial(torch.optim.Adam, lr=1e-3))
    trainer = L.Trainer(
        accelerator="cpu",
        max_steps=steps,
        limit_val_batches=0,
        logger=L.pytorch.loggers.TensorBoardLogger("/tmp/actlab-bench-diagnostics"),
        callbacks=[diagnostics] if diagnostics else [],
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    start = time.perf_counter()
    trainer.fit(classifier, batches)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="lenet")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--every", type=int, default=100, help="the diagnostics interval")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    steady_malloc()  # as train.py does: without, fits here land at one of two speeds
    torch.manual_seed(0)
    count = args.batch_size * args.steps
    batches = TensorBatches(
        torch.randn(count, 1, 28, 28), torch.randint(10, (count,)), batch_size=args.batch_size
    )
    times: dict[str, list[float]] = {"without": [], "with diagnostics": []}
    inside = []
    for round_ in range(args.rounds):
        diagnostics = TimedDiagnostics(args.every)
        contenders = {"without": None, "with diagnostics": diagnostics}
        for name in sorted(contenders, reverse=round_ % 2 == 1):  # who goes first alternates
            times[name].append(fit_seconds(args.model, batches, args.steps, contenders[name]))
        inside.append(diagnostics.seconds)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {args.model}, "
        f"batch {args.batch_size}, {args.steps} steps, diagnostics every {args.every} steps"
    )
    baseline = statistics.median(times["without"])
    for name, seconds in times.items():
        median = statistics.median(seconds)
        print(f"{name:18} {median:8.3f} s {median / baseline:7.3f}")
    median = statistics.median(inside)
    print(f"{'inside its hooks':18} {median:8.3f} s {median / baseline:7.3f}")


if __name__ == "__main__":
    main()
