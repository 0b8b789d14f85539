"""torch's random state as a run's checkpoint keeps it (`rng_states`)."""

from typing import Any

import torch


def torch_random_state() -> dict[str, Any]:
    """torch's random state now: the CPU's (`cpu`) and this process's CUDA device's (`cuda`;
    None before CUDA is initialised)."""
    cuda = torch.cuda.get_rng_state() if torch.cuda.is_initialized() else None
    return {"cpu": torch.get_rng_state(), "cuda": cuda}
