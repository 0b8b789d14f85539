"""The learned values of learnable activations, per layer: S2's Tables 3 and 4, and their curves."""

import csv
import io
from pathlib import Path

import lightning as L

from actlab.activations.registry import learned_values
from actlab.activations.sites import learnable_sites
from actlab.utils.atomic import write_text_atomically


class AdaptiveParams(L.Callback):
    """Logs every learnable activation's values (a, b, c, d; a mixture's X, Y, Z; PReLU's weight;
    a registered class's parameters) per layer.

    To the loggers as scalars `adaptive/<layer>/<name>`, at the start of training and after every
    epoch; at the end of fit (or of a failed fit) to the CSV at `path`, one row per layer. Per-
    channel values are reported as their mean over channels. Runs without learnable activations
    write nothing.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.prefix = ""  # a stack's member's: its scalars are logged as `<k>/adaptive/...`

    def values(self, pl_module: L.LightningModule) -> dict[str, dict[str, float]]:
        """Each layer's values, by layer name."""
        return {
            layer: learned_values(site) for layer, site in learnable_sites(pl_module.model).items()
        }

    def log_values(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        scalars = {
            f"{self.prefix}adaptive/{layer}/{name}": value
            for layer, values in self.values(pl_module).items()
            for name, value in values.items()
        }
        if scalars:
            for logger in trainer.loggers:
                logger.log_metrics(scalars, step=trainer.global_step)

    def write_csv(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        rows = [{"layer": layer, **values} for layer, values in self.values(pl_module).items()]
        if not rows or not trainer.is_global_zero:
            return
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(self.path, text.getvalue())

    def on_train_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.log_values(trainer, pl_module)

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.log_values(trainer, pl_module)

    def on_fit_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.write_csv(trainer, pl_module)

    def on_exception(
        self, trainer: L.Trainer, pl_module: L.LightningModule, exception: BaseException
    ) -> None:
        self.write_csv(trainer, pl_module)
