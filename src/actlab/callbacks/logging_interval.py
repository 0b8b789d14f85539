"""How often loggers write step-level values: several times an epoch, short epochs too."""

import lightning as L

POINTS_PER_EPOCH = 5
"""About how many step-level points an epoch gets where the interval is derived."""

LONGEST = 50
"""The longest derived interval (Lightning's default): long epochs log every 50 steps."""


def interval_for(batches: int) -> int:
    """The logging interval for epochs of `batches` training batches: `POINTS_PER_EPOCH` points
    an epoch, at most every `LONGEST` steps, at least every step."""
    return max(1, min(LONGEST, batches // POINTS_PER_EPOCH))


class LoggingInterval(L.Callback):
    """Sets `trainer.log_every_n_steps` from the epoch's batch count (`interval_for`) where
    `every_n_steps` is None (`trainer.log_every_n_steps: null`, the default), before Lightning
    counts the batches and warns of an interval longer than the epoch; leaves the user's."""

    def __init__(self, every_n_steps: int | None) -> None:
        self.every_n_steps = every_n_steps

    def setup(self, trainer: L.Trainer, pl_module: L.LightningModule, stage: str) -> None:
        if stage != "fit" or self.every_n_steps is not None or trainer.datamodule is None:
            return
        batches = len(trainer.datamodule.train_dataloader())
        limit = trainer.limit_train_batches
        batches = min(batches, limit) if isinstance(limit, int) else int(batches * limit)
        trainer.log_every_n_steps = interval_for(batches)
