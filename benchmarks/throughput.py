"""Training speed of actlab's path against a bare Lightning Trainer and a plain PyTorch loop, per
model, in one run.

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
The bare Lightning Trainer trains the same model and optimizer on the same datamodule through a
LightningModule whose step is the loss alone: no metrics, logging, callbacks, logger, progress
bar or checkpoints; it is the floor of any Lightning template. The figures are the median
images/s of each, actlab's as a fraction of the plain loop's and of Lightning's, and actlab's cost
per step in microseconds over each.
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

from actlab.config.build import build_all, build_callbacks, build_classifier, build_model

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
        callbacks=[*build_callbacks(cfg), timer],
        logger=build_all(cfg, "logger"),
        max_epochs=-1,
        max_steps=warmup + steps,
        limit_val_batches=0,
        num_sanity_val_steps=0,
    )
    with open(os.devnull, "w") as devnull, redirect_stdout(devnull):  # drawn, not shown
        trainer.fit(build_classifier(cfg, data), datamodule=data)
    return timer.seconds


class BareStep(L.LightningModule):
    """A LightningModule that trains `model` with cross entropy and nothing else."""

    def __init__(self, model: torch.nn.Module, optimizer: partial) -> None:
        super().__init__()
        self.model = model
        self.optimizer = optimizer

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int):
        inputs, labels = batch
        return torch.nn.functional.cross_entropy(self.model(inputs), labels)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return self.optimizer(self.parameters())


def lightning_seconds(cfg: DictConfig, warmup: int, steps: int) -> float:
    """Seconds of `steps` training steps (after `warmup`) through a bare Lightning Trainer."""
    L.seed_everything(cfg.seed)
    data, _ = datamodule(cfg)
    timer = StepTimer(warmup, steps)
    trainer = L.Trainer(
        accelerator=cfg.trainer.accelerator,
        devices=1,
        precision=cfg.trainer.precision,
        max_epochs=-1,
        max_steps=warmup + steps,
        limit_val_batches=0,
        num_sanity_val_steps=0,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        callbacks=[timer],
    )
    model = build_model(cfg, data.input_shape, data.num_classes)
    trainer.fit(BareStep(model, instantiate(cfg.optimizer)), datamodule=data)
    return timer.seconds


def seconds(name: str, cfg: DictConfig, warmup: int, steps: int, device: torch.device) -> float:
    """Seconds of `steps` training steps of contender `name`: plain, Lightning or actlab."""
    if name == "plain":
        return plain_loop_seconds(cfg, datamodule(cfg)[0], warmup, steps, device)
    if name == "Lightning":
        return lightning_seconds(cfg, warmup, steps)
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
    print(
        f"{'case':9} {'data':20} {'plain':>8} {'Lightning':>10} {'actlab':>8} img/s"
        f"{'of plain':>10} {'of Lightning':>13} {'us/step over plain':>19} {'over Lightning':>15}"
    )
    with configs() as compose:
        for case in args.cases:
            overrides, warmup, steps = CASES[case]
            steps = max(1, round(steps * args.scale))
            cfg = compose(*overrides, *args.overrides)
            measure = partial(seconds, cfg=cfg, warmup=warmup, steps=steps, device=device)
            times = take_turns(["plain", "Lightning", "actlab"], args.rounds, measure)
            step = {name: statistics.median(values) / steps * 1e6 for name, values in times.items()}
            plain, lightning, actlab = (cfg.data.batch_size / step[name] * 1e6 for name in step)
            source = "real" if datamodule(cfg)[1] == "real data" else "random, same shape"
            print(
                f"{case:9} {source:20} {plain:8.0f} {lightning:10.0f} {actlab:8.0f}      "
                f"{actlab / plain:10.3f} {actlab / lightning:13.3f} "
                f"{step['actlab'] - step['plain']:19.0f} {step['actlab'] - step['Lightning']:15.0f}"
            )


if __name__ == "__main__":
    main()
