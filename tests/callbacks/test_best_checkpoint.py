"""One best epoch: the checkpoint kept as best is the epoch that metrics.json calls best, by one
comparison (strictly better; a NaN never is), whatever the monitored values."""

import json
import math
from functools import partial
from pathlib import Path

import pytest
import torch
from helpers import quiet_trainer
from torch import nn

from actlab.callbacks.best_checkpoint import BestCheckpoint
from actlab.callbacks.run_record import RunRecord
from actlab.data.batches import TensorBatches
from actlab.training.classifier import Classifier


class Scripted(Classifier):
    """A classifier whose validation accuracy is `values[epoch]`, whatever it learns."""

    def __init__(self, values: list[float]) -> None:
        super().__init__(nn.Linear(3, 2), 2, optimizer=partial(torch.optim.SGD, lr=0.1))
        self.values = values

    def on_validation_epoch_end(self) -> None:
        self.val_scores.reset()
        self.log("val/acc", self.values[self.current_epoch])


@pytest.mark.parametrize(
    ("values", "best"),
    [
        ([math.nan, 0.5, 0.5, 0.7, 0.6], 3),  # Lightning's own keeps epoch 0's NaN as best at first
        ([0.4, math.nan, 0.3], 0),
        ([math.nan, math.nan], None),  # no best: the final weights are tested
    ],
)
def test_the_best_checkpoint_is_the_epoch_the_record_calls_best(
    tmp_path: Path, values: list[float], best: int | None
) -> None:
    checkpoint = BestCheckpoint(
        dirpath=tmp_path / "checkpoints",
        filename="epoch_{epoch:03d}",
        auto_insert_metric_name=False,
        monitor="val/acc",
        mode="max",
        save_on_train_epoch_end=True,
    )
    record = RunRecord(tmp_path, monitor="val/acc", mode="max", hparams={})
    trainer = quiet_trainer(
        max_epochs=len(values), enable_checkpointing=True, callbacks=[record, checkpoint]
    )
    batches = TensorBatches(torch.randn(16, 3), torch.randint(2, (16,)), batch_size=8)
    trainer.fit(Scripted(values), train_dataloaders=batches, val_dataloaders=batches)
    recorded = json.loads((tmp_path / "metrics.json").read_text())
    assert recorded["best_epoch"] == best
    if best is None:
        assert checkpoint.best_model_path == ""
    else:
        assert Path(checkpoint.best_model_path).name == f"epoch_{best:03d}.ckpt"
        assert checkpoint.best_model_score.item() == pytest.approx(values[best])
