"""FastPath: a run's GPU fast path (channels_last, torch.compile), and the line that says what is
on."""

import logging

import lightning as L
import torch
from torch import nn

log = logging.getLogger(__name__)


def channels_last_images(module: nn.Module, args: tuple) -> tuple | None:
    """A forward pre-hook: a batch of images (4-d) in channels_last memory format."""
    inputs, *rest = args
    if inputs.ndim != 4:
        return None
    return (inputs.contiguous(memory_format=torch.channels_last), *rest)


class FastPath(L.Callback):
    """Runs the Classifier's model (each member's, in a stack) fast: `channels_last` puts its conv
    layers and image batches in NHWC memory format when it trains on a CUDA GPU; `compile` runs
    it through torch.compile, in that mode when it is one (`reduce-overhead`: CUDA graphs). Says
    at the start of fit what is on: the device, precision, channels_last, compile and
    cudnn.benchmark.

    channels_last stays off on CPU: oneDNN's backward of strided 1x1 convolutions in NHWC with
    few input channels corrupts memory or gradients (uxlfoundation/oneDNN#6035)."""

    def __init__(self, channels_last: bool = False, compile: bool | str = False) -> None:
        self.channels_last = channels_last
        self.compile = compile
        self.prepared: set[int] = set()

    def setup(self, trainer: L.Trainer, pl_module: L.LightningModule, stage: str) -> None:
        # Before fit and again before test, before the model moves to its device or is wrapped
        # for DDP: each model is prepared once.
        for model in pl_module.models():
            if id(model) in self.prepared:
                continue
            self.prepared.add(id(model))
            if self.channels_last and trainer.strategy.root_device.type == "cuda":
                model.to(memory_format=torch.channels_last)
                model.register_forward_pre_hook(channels_last_images)
            if self.compile:
                model.compile(mode=None if self.compile is True else self.compile)

    def on_fit_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        device = pl_module.device
        on_gpu = device.type == "cuda"
        if not self.channels_last:
            channels_last = "off"
        elif not on_gpu:
            channels_last = f"skipped on {device.type} (oneDNN#6035)"
        elif not self.prepared:  # a stack whose members run fused: vmap keeps the memory format
            channels_last = "unused by fused members"
        else:
            channels_last = "on"
        log.info(
            "Fast path on %s: precision %s, channels_last %s, compile %s, cudnn.benchmark %s",
            device,
            trainer.precision,
            channels_last,
            self.compile if isinstance(self.compile, str) else "on" if self.compile else "off",
            torch.backends.cudnn.benchmark if on_gpu else f"unused on {device.type}",
        )
