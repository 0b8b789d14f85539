"""RandomState: the random state that dropout and augmentation draw from, kept in checkpoints."""

from typing import Any

import lightning as L
import torch

from actlab.utils.random_state import torch_random_state


class RandomState(L.Callback):
    """Saves torch's random state (the CPU's, and this process's CUDA device's) in every
    checkpoint, under `rng_states`, and sets it again from a checkpoint that a run resumes from:
    a run resumed from the end of an epoch draws what it would have drawn had it gone on. (Under
    DDP every process has the same state: they were seeded alike.) Every run has one (the recipe
    adds it beside the run's record)."""

    def on_save_checkpoint(
        self, trainer: L.Trainer, pl_module: L.LightningModule, checkpoint: dict[str, Any]
    ) -> None:
        checkpoint["rng_states"] = torch_random_state()

    def on_load_checkpoint(
        self, trainer: L.Trainer, pl_module: L.LightningModule, checkpoint: dict[str, Any]
    ) -> None:
        states = checkpoint.get("rng_states")
        if states is None:
            return
        torch.set_rng_state(states["cpu"])
        if states["cuda"] is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state(states["cuda"])  # this process's device
