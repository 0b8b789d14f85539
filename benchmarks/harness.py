"""What the benchmarks share: configs composed as `python train.py` composes them, data (real when
it is on disk, random of the same shape otherwise), step timers and the plain PyTorch loop that
actlab is measured against."""

import logging
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

import lightning as L
import torch
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate
from omegaconf import DictConfig
from torch import Tensor, nn

from actlab.config import CONFIG_DIR
from actlab.config.build import build_model
from actlab.data.in_memory import InMemoryDataModule
from actlab.data.synthetic import write_mnist_files
from actlab.utils.allocator import steady_malloc

Name = TypeVar("Name", str, int)


def take_turns(
    names: Sequence[Name], rounds: int, measure: Callable[[Name], float]
) -> dict[Name, list[float]]:
    """`measure(name)` of every contender in `names`, round after round, the order reversed every
    other round (so who goes first alternates), so that the machine's drift falls on all alike.
    The measurements of each, in the order of `names`."""
    times: dict[Name, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        for name in sorted(names, reverse=round_ % 2 == 1):
            times[name].append(measure(name))
    return times


def quiet_lightning() -> None:
    """Lightning's banners (GPU available, tips) off; warnings stay."""
    for name in ("lightning.pytorch", "lightning.fabric"):
        logging.getLogger(name).setLevel(logging.WARNING)


@contextmanager
def configs() -> Iterator[Callable[..., DictConfig]]:
    """`compose(*overrides)`: conf/train.yaml with overrides, outputs in a temporary folder."""
    steady_malloc()  # as train.py does
    with (
        tempfile.TemporaryDirectory() as root,
        initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"),
    ):

        def compose_train(*overrides: str) -> DictConfig:
            return compose(
                "train", [f"paths.root_dir={root}", f"paths.output_dir={root}/run", *overrides]
            )

        yield compose_train


class RandomData(InMemoryDataModule):
    """Random data of a real dataset's shape (uint8 images, or float features), split, batched,
    augmented and normalised as the real one is."""

    def __init__(
        self,
        input_shape: tuple[int, ...],
        num_classes: int,
        train_size: int,
        test_size: int,
        **in_memory: Any,
    ) -> None:
        super().__init__(**in_memory)
        self.input_shape = input_shape
        self.num_classes = num_classes
        self.train_size = train_size
        self.test_size = test_size

    def load(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        generator = torch.Generator().manual_seed(0)

        def part(count: int) -> tuple[Tensor, Tensor]:
            shape = (count, *self.input_shape)
            if len(self.input_shape) == 3:
                inputs = torch.randint(256, shape, dtype=torch.uint8, generator=generator)
            else:
                inputs = torch.randn(shape, generator=generator)
            return inputs, torch.randint(self.num_classes, (count,), generator=generator)

        return *part(self.train_size), *part(self.test_size)


def datamodule(cfg: DictConfig, train_size: int = 60_000) -> tuple[InMemoryDataModule, str]:
    """The run's datamodule if its data are on disk (or bundled), else `RandomData` of its shape
    with `train_size` training samples (never a download); and which of the two, in words."""
    real = instantiate(cfg.data, **({"download": False} if "download" in cfg.data else {}))
    try:
        real.prepare_data()
        return real, "real data"
    except FileNotFoundError:
        fake = RandomData(
            real.input_shape,
            real.num_classes,
            train_size=train_size,
            test_size=real.eval_batch_size,
            batch_size=real.batch_size,
            eval_batch_size=real.eval_batch_size,
            val_fraction=real.val_fraction,
            augment=real.augmentation is not None,
            augmentation=real.augmentation,
        )
        return fake, f"random data of {type(real).__name__}'s shape"


def synchronize(device: torch.device) -> None:
    """Wait for the device's queued work (a no-op on CPU)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class StepTimer(L.Callback):
    """Seconds from the start of optimizer step `warmup` to the end of step `warmup + steps`."""

    def __init__(self, warmup: int, steps: int) -> None:
        self.warmup = warmup
        self.last = warmup + steps - 1
        self.start = self.seconds = 0.0

    def on_train_batch_start(self, trainer: L.Trainer, pl_module, batch, batch_idx: int) -> None:
        if trainer.global_step == self.warmup:
            synchronize(pl_module.device)
            self.start = time.perf_counter()

    def on_train_batch_end(self, trainer: L.Trainer, pl_module, outputs, batch, batch_idx) -> None:
        if trainer.global_step == self.last + 1:
            synchronize(pl_module.device)
            self.seconds = time.perf_counter() - self.start


def plain_loop_seconds(
    cfg: DictConfig, data: InMemoryDataModule, warmup: int, steps: int, device: torch.device
) -> float:
    """Seconds of `steps` training steps (after `warmup`) of the loop a researcher writes by hand:
    the run's model and optimizer, batches of the same tensors in memory, shuffled each epoch,
    augmented and normalised as the run does; bf16 autocast and channels-last when the run has
    them on a GPU."""
    data.setup("fit")
    x, y = (tensor.to(device) for tensor in data.splits["train"])
    shift, scale = data.scaling.shift.to(device), data.scaling.scale.to(device)
    model = build_model(cfg, data.input_shape, data.num_classes).to(device)
    optimizer = instantiate(cfg.optimizer)(model.parameters())
    gpu = device.type == "cuda"
    layout = torch.channels_last if gpu and cfg.channels_last and x.ndim == 4 else None
    if layout:
        model = model.to(memory_format=layout)
    bf16 = gpu and str(cfg.trainer.precision).startswith("bf16")
    autocast = torch.autocast("cuda", torch.bfloat16) if bf16 else nullcontext()
    step, start = 0, 0.0
    while step < warmup + steps:
        for index in torch.randperm(len(y), device=device).split(data.batch_size):
            if step == warmup:
                synchronize(device)
                start = time.perf_counter()
            if step == warmup + steps:
                break
            inputs = x[index]
            if data.augmentation is not None:
                inputs = data.augmentation(inputs)
            inputs = (inputs.float() - shift) / scale
            if layout:
                inputs = inputs.contiguous(memory_format=layout)
            with autocast:
                loss = nn.functional.cross_entropy(model(inputs), y[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
    synchronize(device)
    return time.perf_counter() - start


def fashion_mnist(data_dir: Path) -> tuple[InMemoryDataModule, str]:
    """actlab's Fashion-MNIST DataModule on `data_dir`, with the real files installed there when
    they are found, random ones in their format otherwise."""
    with configs() as compose:
        cfg = compose("data=fashion_mnist", "data.download=false", f"paths.data_dir={data_dir}")
    data = instantiate(cfg.data)
    try:
        data.prepare_data()
        return data, "real Fashion-MNIST"
    except FileNotFoundError:
        write_mnist_files(data.files_dir, train=60_000, test=10_000)
        return data, "random data in Fashion-MNIST's files"
