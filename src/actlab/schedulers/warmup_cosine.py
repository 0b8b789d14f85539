"""Linear warm-up, then cosine annealing: PyTorch's LinearLR and CosineAnnealingLR in sequence."""

from torch.optim import Optimizer
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

from actlab.utils.errors import ConfigError


def warmup_cosine(
    optimizer: Optimizer,
    warmup_epochs: int,
    max_epochs: int,
    start_factor: float = 0.01,
    eta_min: float = 0.0,
) -> SequentialLR:
    """From `start_factor` times each group's learning rate up to it over `warmup_epochs`, then
    down to `eta_min` along a cosine over the remaining epochs of `max_epochs`."""
    if not 0 < warmup_epochs < max_epochs:
        raise ConfigError(
            f"warmup_epochs={warmup_epochs} must be at least 1 and less than "
            f"max_epochs={max_epochs}"
        )
    warmup = LinearLR(optimizer, start_factor=start_factor, total_iters=warmup_epochs)
    cosine = CosineAnnealingLR(optimizer, T_max=max_epochs - warmup_epochs, eta_min=eta_min)
    return SequentialLR(optimizer, [warmup, cosine], milestones=[warmup_epochs])
