"""InterruptCheckpoint: the run's state saved when Ctrl-C or SIGTERM stops it."""

import lightning as L
from lightning.pytorch.utilities.exceptions import SIGTERMException


class InterruptCheckpoint(L.Callback):
    """Saves a checkpoint of the run to `path` when Ctrl-C (SIGINT) or SIGTERM (which SLURM
    sends before a job's time limit) stops it; other exceptions save nothing.

    Lightning's OnExceptionCheckpoint saves on every exception, but while it is a callback each
    `fit` looks for a checkpoint to resume from, warning about it even in a fresh run directory.
    """

    def __init__(self, path: str) -> None:
        self.path = path

    def on_exception(
        self, trainer: L.Trainer, pl_module: L.LightningModule, exception: BaseException
    ) -> None:
        if isinstance(exception, KeyboardInterrupt | SIGTERMException):
            trainer.save_checkpoint(self.path)
