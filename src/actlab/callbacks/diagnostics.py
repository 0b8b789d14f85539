"""Per-layer training diagnostics (S4's themes): vanishing and exploding gradients, saturated and
dead units."""

from collections.abc import Mapping
from typing import NamedTuple

import lightning as L
import torch
from lightning.pytorch.loggers import TensorBoardLogger
from torch import Tensor, nn
from torch.optim import Optimizer

from actlab.activations.sites import activation_sites
from actlab.utils.errors import ConfigError


def dead_fraction(outputs: Tensor) -> Tensor:
    """The fraction of units (channels, dimension 1) whose output is zero for every sample and
    position of `outputs`."""
    per_unit = outputs.transpose(0, 1).reshape(outputs.shape[1], -1)
    return (per_unit == 0).all(dim=1).float().mean()


def gradient_norms(model: nn.Module) -> dict[str, Tensor]:
    """The L2 norm of the gradients of each module's own parameters, by module name."""
    norms = {}
    for name, module in model.named_modules():
        grads = [p.grad for p in module.parameters(recurse=False) if p.grad is not None]
        if grads:
            norms[name] = torch.linalg.vector_norm(torch.stack([g.float().norm() for g in grads]))
    return norms


class Histogram(NamedTuple):
    """A histogram as TensorBoard stores it: summary statistics and counts per bucket, each bucket
    given by its upper limit."""

    min: float
    max: float
    num: int
    sum: float
    sum_squares: float
    bucket_limits: list[float]
    bucket_counts: list[float]


def histogram(values: Tensor, bins: int) -> Histogram:
    """The histogram of `values` in `bins` equal buckets from their min to their max, counted
    where the values are (on the GPU for a GPU run) and read back in one transfer."""
    flat = values.detach().flatten().float()
    low, high = torch.aminmax(flat)
    scaled = (flat - low) / (high - low).clamp_min(torch.finfo(torch.float32).tiny)
    # Counted with bincount: histc has no deterministic CUDA implementation, so it would fail
    # a run with trainer.deterministic=true on a GPU.
    counts = torch.bincount((scaled * bins).long().clamp_(0, bins - 1), minlength=bins)
    stats = torch.stack([low, high, flat.sum(), flat.square().sum()])
    low, high, total, squares, *counts = torch.cat([stats, counts]).tolist()
    width = (high - low) / bins if high > low else 1.0 / bins
    limits = [low + width * (index + 1) for index in range(bins)]
    return Histogram(low, high, flat.numel(), total, squares, limits, counts)


def as_floats(values: Mapping[str, Tensor]) -> dict[str, float]:
    """Scalar tensors as floats, read from the device in one transfer."""
    if not values:
        return {}
    return dict(zip(values, torch.stack(list(values.values())).tolist(), strict=True))


class Diagnostics(L.Callback):
    """Every `every_n_steps` optimizer steps, logs per layer:

    - `diagnostics/grad_norm/<layer>`: the L2 norm of the layer's gradients (before clipping);
    - `diagnostics/act_mean/<site>`, `act_std/<site>`: mean and std of each activation site's
      output on a fixed probe batch (the first training batch, kept), the model in eval mode;
    - `diagnostics/dead/<site>`: the fraction of the site's units (channels or features) whose
      output is zero for every sample of the probe batch;
    - a histogram of each site's output in `bins` buckets (`~diagnostics/act/<site>`: after the
      curves, as TensorBoard files the scalars), to TensorBoard loggers.

    Everything is computed on the training device; each log reads it back in one transfer.
    """

    def __init__(self, every_n_steps: int = 100, bins: int = 64) -> None:
        if every_n_steps < 1:
            raise ConfigError(f"every_n_steps must be a positive integer, got {every_n_steps}")
        if bins < 1:
            raise ConfigError(f"bins must be a positive integer, got {bins}")
        self.every_n_steps = every_n_steps
        self.bins = bins
        self.probe: Tensor | None = None

    def due(self, trainer: L.Trainer) -> bool:
        return trainer.global_step % self.every_n_steps == 0

    def log_scalars(self, trainer: L.Trainer, metrics: Mapping[str, float]) -> None:
        for logger in trainer.loggers:
            logger.log_metrics(dict(metrics), step=trainer.global_step)

    def on_train_batch_start(
        self, trainer: L.Trainer, pl_module: L.LightningModule, batch: tuple, batch_idx: int
    ) -> None:
        if self.probe is None:
            self.probe = batch[0].detach().clone()
        if self.due(trainer):
            self.probe_activations(trainer, pl_module)

    def on_before_optimizer_step(
        self, trainer: L.Trainer, pl_module: L.LightningModule, optimizer: Optimizer
    ) -> None:
        if self.due(trainer):
            norms = gradient_norms(pl_module.model)
            self.log_scalars(
                trainer, as_floats({f"diagnostics/grad_norm/{k}": v for k, v in norms.items()})
            )

    def probe_activations(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        """Run the probe batch and log each activation site's statistics."""
        outputs: dict[str, Tensor] = {}
        hooks = [
            site.register_forward_hook(
                lambda module, args, output, name=name: outputs.__setitem__(name, output.detach())
            )
            for name, site in activation_sites(pl_module.model).items()
        ]
        was_training = pl_module.training
        pl_module.eval()
        try:
            with torch.no_grad():
                pl_module(self.probe)
        finally:
            pl_module.train(was_training)
            for hook in hooks:
                hook.remove()
        metrics = {}
        for name, output in outputs.items():
            values = output.float()
            metrics[f"diagnostics/act_mean/{name}"] = values.mean()
            metrics[f"diagnostics/act_std/{name}"] = values.std()
            metrics[f"diagnostics/dead/{name}"] = dead_fraction(values)
        self.log_scalars(trainer, as_floats(metrics))
        writers = [log.experiment for log in trainer.loggers if isinstance(log, TensorBoardLogger)]
        if writers:
            for name, output in outputs.items():
                counts = histogram(output, self.bins)
                for writer in writers:
                    writer.add_histogram_raw(  # under ~, after the curves, as the scalars
                        f"~diagnostics/act/{name}", *counts, global_step=trainer.global_step
                    )
