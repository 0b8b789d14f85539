"""No step of a run waits for the device: between logging steps and epoch ends, nothing in a
training step (nor the callbacks and progress bar around it) reads a tensor's value on the host."""

import traceback
from pathlib import Path
from typing import Any

import lightning as L
import pytest
import torch
from helpers import TINY_MODEL
from torch.overrides import TorchFunctionMode

from actlab.run.recipe import run

READS = {"item", "tolist", "numpy", "cpu", "__bool__", "__float__", "__int__", "__index__"}
"""Tensor methods that read a value on the host: on a GPU each waits for the device."""


class HostReads(TorchFunctionMode):
    """Counts the calls that read a tensor's value on the host while it is active."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: Any = None):
        name = getattr(func, "__name__", "")
        if name in READS and not reads_the_optimizers_step_count():
            self.calls.append(name)
        return func(*args, **(kwargs or {}))


def reads_the_optimizers_step_count() -> bool:
    """Whether the read under way is torch's optimizer reading its step count, which it keeps on
    the host (unless `capturable`): that read never waits for the device."""
    return any(
        frame.name == "_get_value" and frame.filename.endswith("torch/optim/optimizer.py")
        for frame in traceback.extract_stack()
    )


class CountReads(L.Callback):
    """Counts host reads from the start of each training batch to the start of the next: the
    step, and every batch-end hook of the callbacks and the module (progress bar included). Only
    for batches that are neither a logging step nor the last of their epoch."""

    def __init__(self) -> None:
        self.mode: HostReads | None = None
        self.counted: dict[int, list[str]] = {}

    def stop(self) -> None:
        if self.mode is not None:
            self.mode.__exit__(None, None, None)
            self.counted[self.step] = self.mode.calls
            self.mode = None

    def on_train_batch_start(self, trainer: L.Trainer, *args: Any) -> None:
        self.stop()
        self.step = trainer.global_step
        logging_step = (self.step + 1) % trainer.log_every_n_steps == 0
        if not logging_step and self.step % trainer.num_training_batches < 5:
            self.mode = HostReads()
            self.mode.__enter__()

    def on_train_epoch_end(self, *args: Any) -> None:
        self.stop()


@pytest.mark.parametrize(
    ("model", "options"),
    [("mlp", ["regularization=l2"]), ("lenet", ["activation=arelu", "scheduler=onecycle"])],
)
def test_a_training_step_reads_nothing_from_the_device(
    compose_run, data_dir: Path, monkeypatch, model: str, options: list[str]
) -> None:
    counter = CountReads()
    data = "breast_cancer" if model == "mlp" else "mnist"
    cfg = compose_run(
        f"data={data}", f"model={model}", *TINY_MODEL[model], *options,
        "trainer.accelerator=cpu", "trainer.max_epochs=2", "trainer.log_every_n_steps=3",
        "data.batch_size=8", "+callbacks.count_reads._target_=test_host_sync.CountReads",
    )  # fmt: skip
    monkeypatch.setattr("test_host_sync.CountReads", lambda: counter)
    run(cfg)
    assert len(counter.counted) >= 6  # steps counted, in both epochs
    assert {step: calls for step, calls in counter.counted.items() if calls} == {}


def test_the_counter_sees_a_read() -> None:
    with HostReads() as reads:
        loss = torch.tensor(1.0)
        if not torch.isfinite(loss):  # the check a training step made before
            pass
        loss.item()
    assert reads.calls == ["__bool__", "item"]
