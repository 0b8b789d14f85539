"""LastBatchScores: the scores of each validation's last batch alone, the figure S1 plotted."""

from typing import Any

import lightning as L
import torch
import torch.nn.functional as F
from torch import Tensor

from actlab.training.metrics import EpochScores


class LastBatchScores(L.Callback):
    """Logs `val/last_batch_<score>` (loss, acc, precision, recall, f1) of the last validation
    batch of each epoch, next to actlab's `val/<score>` over the whole validation part.

    S1's evaluation overwrote each metric with the current batch's value, so what it plotted per
    epoch was the last batch's (32 samples with `data.eval_batch_size=32`): a macro F1 over
    32 samples, a noisy figure with a ceiling below 1. Logging both shows the two side by side.
    """

    def on_validation_batch_end(
        self,
        trainer: L.Trainer,
        pl_module: L.LightningModule,
        outputs: Any,
        batch: tuple[Tensor, Tensor],
        batch_idx: int,
        dataloader_idx: int = 0,
    ) -> None:
        if trainer.sanity_checking or batch_idx + 1 != trainer.num_val_batches[dataloader_idx]:
            return
        inputs, labels = batch
        with torch.no_grad():
            logits = pl_module(inputs)
        scores = EpochScores(num_classes=logits.shape[1]).to(logits.device)
        scores.update(logits, labels, F.cross_entropy(logits, labels))
        for name, value in scores.compute().items():
            # Under DDP, the mean over the processes' last batches.
            pl_module.log(f"val/last_batch_{name}", value, on_epoch=True, sync_dist=True)
