"""Training images/s of a model on CIFAR-shaped data, with the fast-path switches off and on,
against a plain PyTorch loop measured in the same run.

    python benchmarks/fast_path.py                        # ResNet-18, batch 128, on the GPU
    python benchmarks/fast_path.py model=densenet --batch-size 256

The data are random uint8 images of CIFAR-10's shape, held on the device by the CIFAR-10
DataModule (its augmentation and normalisation run on every batch), so nothing needs a download.
Each row trains a fresh model through actlab's Classifier and a Lightning Trainer composed from
`conf/` (no validation, logger, checkpoints or progress bar), adding one switch after another;
the baseline is the loop a researcher would write by hand: the same model, optimizer,
augmentation and normalisation, in float32. Images/s count the steps after `--warmup` steps
(which take torch.compile's and cuDNN's searches), between two device synchronisations.
"""

import argparse
import logging
import tempfile
import time
from collections.abc import Callable

import lightning as L
import torch
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate
from omegaconf import DictConfig
from torch import Tensor, nn

from actlab.build import build_model
from actlab.config import CONFIG_DIR
from actlab.data.cifar10 import CIFAR10DataModule
from actlab.module import Classifier

SWITCHES = {
    "all off": [
        "trainer.precision=32-true",
        "channels_last=false",
        "trainer.benchmark=false",
        "compile=false",
    ],
    "+ bf16-mixed": [
        "trainer.precision=bf16-mixed",
        "channels_last=false",
        "trainer.benchmark=false",
        "compile=false",
    ],
    "+ channels_last": ["trainer.precision=bf16-mixed", "trainer.benchmark=false", "compile=false"],
    "+ cudnn benchmark (defaults)": [],
    "+ compile": ["compile=true"],
}
"""Each row's overrides on top of the defaults; one switch more from row to row."""


class RandomCIFAR10(CIFAR10DataModule):
    """The CIFAR-10 DataModule on random images of its shape: nothing to find or download."""

    train_size = 50_000

    def prepare_data(self) -> None:
        """Nothing to find."""

    def load(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        def images(count: int) -> tuple[Tensor, Tensor]:
            return torch.randint(256, (count, *self.input_shape), dtype=torch.uint8), torch.arange(
                count
            ) % self.num_classes

        return *images(self.train_size), *images(self.eval_batch_size)


def device_time(synchronize: Callable[[], None]) -> float:
    synchronize()
    return time.perf_counter()


class StepTimer(L.Callback):
    """Seconds from the start of step `warmup` to the end of training."""

    def __init__(self, warmup: int) -> None:
        self.warmup = warmup
        self.start = self.seconds = 0.0

    def on_train_batch_start(self, trainer: L.Trainer, pl_module, batch, batch_idx: int) -> None:
        if batch_idx == self.warmup:
            self.start = device_time(synchronizer(pl_module.device))

    def on_train_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.seconds = device_time(synchronizer(pl_module.device)) - self.start


def synchronizer(device: torch.device) -> Callable[[], None]:
    return torch.cuda.synchronize if device.type == "cuda" else lambda: None


def lightning_images_per_s(cfg: DictConfig, steps: int, warmup: int) -> float:
    """Images/s of actlab's training loop composed from `cfg`."""
    L.seed_everything(cfg.seed)
    datamodule = instantiate(cfg.data, _target_=f"{__name__}.RandomCIFAR10")
    classifier = Classifier(
        build_model(cfg, datamodule.input_shape, datamodule.num_classes),
        num_classes=datamodule.num_classes,
        optimizer=instantiate(cfg.optimizer),
        channels_last=cfg.channels_last,
        compile=cfg.compile,
    )
    timer = StepTimer(warmup)
    trainer: L.Trainer = instantiate(
        cfg.trainer,
        callbacks=[timer],
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        max_epochs=None,
        max_steps=warmup + steps,
        limit_val_batches=0,
        num_sanity_val_steps=0,
    )
    trainer.fit(classifier, datamodule=datamodule)
    return steps * datamodule.batch_size / timer.seconds


def plain_images_per_s(cfg: DictConfig, steps: int, warmup: int, device: torch.device) -> float:
    """Images/s of a hand-written float32 loop over the same data, model and optimizer."""
    L.seed_everything(cfg.seed)
    datamodule: RandomCIFAR10 = instantiate(cfg.data, _target_=f"{__name__}.RandomCIFAR10")
    x, y, _, _ = datamodule.load()
    x, y = x.to(device), y.to(device)
    std, mean = torch.std_mean(x.float(), dim=(0, 2, 3), keepdim=True)
    model = build_model(cfg, datamodule.input_shape, datamodule.num_classes).to(device)
    optimizer = instantiate(cfg.optimizer)(model.parameters())
    augment = datamodule.augmentation
    synchronize = synchronizer(device)
    batch_size = datamodule.batch_size
    order = torch.randperm(len(y), device=device)
    start = 0.0
    for step in range(warmup + steps):
        if step == warmup:
            start = device_time(synchronize)
        index = order[step * batch_size : (step + 1) * batch_size]
        inputs = (augment(x[index]).float() - mean) / std
        loss = nn.functional.cross_entropy(model(inputs), y[index])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return steps * batch_size / (device_time(synchronize) - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("overrides", nargs="*", help="config overrides, e.g. model=densenet")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=200, help="timed steps per row")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--rows", nargs="+", default=list(SWITCHES), choices=list(SWITCHES))
    parser.add_argument("--train-size", type=int, default=RandomCIFAR10.train_size)
    args = parser.parse_args()
    for name in ("lightning.pytorch", "lightning.fabric"):
        logging.getLogger(name).setLevel(logging.WARNING)
    RandomCIFAR10.train_size = args.train_size

    gpu = torch.cuda.is_available()
    base = [
        "data=cifar10",
        "model=resnet",
        f"trainer={'gpu' if gpu else 'default'}",
        f"data.batch_size={args.batch_size}",
        *args.overrides,
    ]
    device = torch.device("cuda" if gpu else "cpu")
    name = torch.cuda.get_device_name() if gpu else "CPU"
    with (
        tempfile.TemporaryDirectory() as output,
        initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"),
    ):

        def config(*overrides: str) -> DictConfig:
            return compose("train", [*base, f"paths.output_dir={output}", *overrides])

        training_part = int(args.train_size * (1 - config().data.val_fraction))
        if (args.warmup + args.steps) * args.batch_size > training_part:
            parser.error("warmup + steps batches must fit in the training part of --train-size")
        print(f"{name}, torch {torch.__version__}, {' '.join(base)}")
        print(f"{'loop':36} {'images/s':>10} {'vs plain':>9}")
        baseline = plain_images_per_s(config(), args.steps, args.warmup, device)
        print(f"{'plain PyTorch, float32':36} {baseline:10.0f} {1:9.2f}")
        for row in args.rows:
            speed = lightning_images_per_s(config(*SWITCHES[row]), args.steps, args.warmup)
            print(f"{'actlab ' + row:36} {speed:10.0f} {speed / baseline:9.2f}", flush=True)


if __name__ == "__main__":
    main()
