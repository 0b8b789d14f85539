"""BestCheckpoint: Lightning's ModelCheckpoint, its best epoch the one the run's record names."""

import lightning as L
from lightning.pytorch.callbacks import ModelCheckpoint
from torch import Tensor

from actlab.storage.records import improves


class BestCheckpoint(ModelCheckpoint):
    """Lightning's ModelCheckpoint that keeps the best epoch's checkpoint (`save_top_k=1`) by the
    comparison that picks the best epoch of the run's record (`improves`: strictly better, a NaN
    never), so that the checkpoint tested as `best` is always the epoch metrics.json calls best.
    (Lightning's own saves the first epoch whatever its value, a NaN as an infinity.) Other
    `save_top_k` keep Lightning's ranking."""

    def check_monitor_top_k(self, trainer: L.Trainer, current: Tensor | None = None) -> bool:
        if current is None or self.save_top_k != 1:
            return super().check_monitor_top_k(trainer, current)
        best = self.best_model_score.item() if self.best_k_models else None
        decision = improves(current.item(), best, self.mode)
        return trainer.strategy.reduce_boolean_decision(decision)
