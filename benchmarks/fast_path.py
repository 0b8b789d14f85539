"""Training images/s of a model on CIFAR-shaped data, with the fast-path switches off and on,
against a plain PyTorch loop with the same precision and memory format, measured in the same run.

    python benchmarks/fast_path.py                        # ResNet-18, batch 128, on the GPU
    python benchmarks/fast_path.py model=densenet --batch-size 256

The data are random uint8 images of CIFAR-10's shape, held on the device by the CIFAR-10
DataModule (its augmentation and normalisation run on every batch), so nothing needs a download.
Each row trains a fresh model through actlab's Classifier and a Lightning Trainer composed from
`conf/` (no validation, logger, checkpoints or progress bar), adding one switch after another;
the baseline is the loop a researcher would write by hand: the same model, optimizer,
augmentation and normalisation, with the row's precision (float32, or bf16 autocast) and memory
format (channels-last on a GPU when the row has it). Images/s count the steps after `--warmup`
steps (which take torch.compile's and cuDNN's searches, and CUDA graphs' recording), between two
device synchronisations; s/epoch is the training part of `--train-size` at that speed.
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

from actlab.callbacks.fast_path import FastPath
from actlab.config import CONFIG_DIR
from actlab.config.build import build_model
from actlab.data.cifar10 import CIFAR10DataModule
from actlab.training.classifier import Classifier

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
    "+ compile, CUDA graphs": ["compile=reduce-overhead"],
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
    )
    timer = StepTimer(warmup)
    trainer: L.Trainer = instantiate(
        cfg.trainer,
        callbacks=[FastPath(cfg.channels_last, cfg.compile), timer],
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
    """Images/s of a hand-written loop over the same data, model and optimizer, in the precision
    and memory format of `cfg` (on a GPU)."""
    L.seed_everything(cfg.seed)
    datamodule: RandomCIFAR10 = instantiate(cfg.data, _target_=f"{__name__}.RandomCIFAR10")
    x, y, _, _ = datamodule.load()
    x, y = x.to(device), y.to(device)
    std, mean = torch.std_mean(x.float(), dim=(0, 2, 3), keepdim=True)
    model = build_model(cfg, datamodule.input_shape, datamodule.num_classes).to(device)
    gpu = device.type == "cuda"
    layout = torch.channels_last if gpu and cfg.channels_last else torch.contiguous_format
    model = model.to(memory_format=layout)
    bf16 = gpu and str(cfg.trainer.precision).startswith("bf16")
    autocast = torch.autocast("cuda", torch.bfloat16, enabled=bf16)
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
        inputs = ((augment(x[index]).float() - mean) / std).contiguous(memory_format=layout)
        with autocast:
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
        print(f"{'loop':36} {'images/s':>10} {'s/epoch':>8} {'vs plain, same precision':>25}")
        baselines: dict[tuple[bool, bool], float] = {}
        for row in args.rows:
            cfg = config(*SWITCHES[row])
            # The plain loop's precision and memory format, as it runs them (bf16, NHWC: on GPUs)
            same = (
                gpu and str(cfg.trainer.precision).startswith("bf16"),
                gpu and cfg.channels_last,
            )
            if same not in baselines:
                baselines[same] = plain_images_per_s(cfg, args.steps, args.warmup, device)
                label = "plain PyTorch, " + ("bf16" if same[0] else "float32")
                label += ", channels_last" if same[1] else ""
                print(f"{label:36} {baselines[same]:10.0f} {training_part / baselines[same]:8.2f}")
            speed = lightning_images_per_s(cfg, args.steps, args.warmup)
            ratio = speed / baselines[same]
            print(f"{'actlab ' + row:36} {speed:10.0f} {training_part / speed:8.2f} {ratio:25.2f}")


if __name__ == "__main__":
    main()
