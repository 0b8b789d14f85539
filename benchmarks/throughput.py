"""Training images/s of actlab's path against a plain PyTorch loop, per model, in one run.

    python benchmarks/throughput.py                          # the four cases below
    python benchmarks/throughput.py --cases lenet mlp --rounds 5

actlab's path is what `python train.py` trains with: the datamodule, model, Classifier (metrics,
logging, divergence check), Trainer, the default callbacks (checkpoints, learning-rate monitor,
progress bar, adaptive parameters) and the TensorBoard logger, all composed from conf/; only
validation is off, as only training is timed (the progress bar and model summary are drawn into
/dev/null). The plain loop is what a researcher writes by hand
(see `harness.plain_loop_seconds`). Both train the same model and optimizer on the same data in
memory (real when on disk, random of its shape otherwise: the output says which) for the same
steps after the same warm-up; they take turns, round after round, the one going first alternating.
The figures are the median images/s of each, and actlab's as a fraction of the plain loop's.
"""

import argparse
import os
import statistics
from contextlib import redirect_stdout
from functools import partial

import lightning as L
import torch
from harness import (
    StepTimer,
    configs,
    datamodule,
    plain_loop_seconds,
    quiet_lightning,
    take_turns,
)
from hydra.utils import instantiate
from omegaconf import DictConfig

from actlab.build import build_all, build_classifier

CASES = {
    "lenet": (["data=fashion_mnist", "model=lenet"], 10, 150),
    "convnet": (["data=fashion_mnist", "model=convnet"], 3, 20),
    "mlp": (["data=breast_cancer", "model=mlp"], 20, 300),
    "resnet18": (["data=cifar10", "model=resnet"], 2, 6),
}
"""Each case: its overrides (S1's ConvNet is `convnet`), warm-up steps and timed steps on CPU."""


def actlab_seconds(cfg: DictConfig, warmup: int, steps: int) -> float:
    """Seconds of `steps` training steps (after `warmup`) through actlab's path."""
    L.seed_everything(cfg.seed)
    data, _ = datamodule(cfg)
    timer = StepTimer(warmup, steps)
    trainer: L.Trainer = instantiate(
        cfg.trainer,
        callbacks=[*build_all(cfg, "callbacks"), timer],
        logger=build_all(cfg, "logger"),
        max_epochs=-1,
        max_steps=warmup + steps,
        limit_val_batches=0,
        num_sanity_val_steps=0,
    )
    with open(os.devnull, "w") as devnull, redirect_stdout(devnull):  # drawn, not shown
        trainer.fit(build_classifier(cfg, data), datamodule=data)
    return timer.seconds


def seconds(name: str, cfg: DictConfig, warmup: int, steps: int, device: torch.device) -> float:
    """Seconds of `steps` training steps of contender `name`: "plain" or "actlab"."""
    if name == "plain":
        return plain_loop_seconds(cfg, datamodule(cfg)[0], warmup, steps, device)
    return actlab_seconds(cfg, warmup, steps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0, help="times the timed steps")
    parser.add_argument("overrides", nargs="*", help="config overrides for every case")
    args = parser.parse_args()
    quiet_lightning()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    print(f"torch {torch.__version__}, {device}, {torch.get_num_threads()} threads")
    print(f"{'case':10} {'data':42} {'plain img/s':>12} {'actlab img/s':>13} {'ratio':>6}")
    with configs() as compose:
        for case in args.cases:
            overrides, warmup, steps = CASES[case]
            steps = max(1, round(steps * args.scale))
            cfg = compose(*overrides, *args.overrides)
            measure = partial(seconds, cfg=cfg, warmup=warmup, steps=steps, device=device)
            times = take_turns(["plain", "actlab"], args.rounds, measure)
            images = steps * cfg.data.batch_size
            plain, actlab = (images / statistics.median(times[name]) for name in times)
            source = datamodule(cfg)[1]
            print(f"{case:10} {source:42} {plain:12.0f} {actlab:13.0f} {actlab / plain:6.3f}")


if __name__ == "__main__":
    main()
