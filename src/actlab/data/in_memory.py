"""The shared base of actlab's DataModules: a dataset held whole in memory."""

import lightning as L
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import Tensor

from actlab.data.batches import TensorBatches


class InMemoryDataModule(L.LightningDataModule):
    """A dataset held as tensors, split, normalised once and batched on the training device.

    A subclass names its `input_shape` and `num_classes` and implements `load`; this class splits a
    stratified validation part off the training data, standardises every split with the mean and
    std of the training part (per channel for images, per feature for tables), and moves the
    splits to the device the trainer trains on.
    """

    input_shape: tuple[int, ...]
    num_classes: int

    def __init__(
        self,
        batch_size: int = 128,
        eval_batch_size: int = 1000,
        val_fraction: float = 0.1,
        split_seed: int = 42,
    ) -> None:
        super().__init__()
        self.batch_size = batch_size
        self.eval_batch_size = eval_batch_size
        self.val_fraction = val_fraction
        self.split_seed = split_seed
        self.splits: dict[str, tuple[Tensor, Tensor]] = {}

    def load(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Training inputs and labels, then test inputs and labels (float and int64 tensors)."""
        raise NotImplementedError

    def setup(self, stage: str | None = None) -> None:
        if self.splits:
            return
        x, y, x_test, y_test = self.load()
        train, val = train_test_split(
            np.arange(len(y)),
            test_size=self.val_fraction,
            stratify=y.numpy(),
            random_state=self.split_seed,
        )
        x_train, x_val = x[torch.from_numpy(train)], x[torch.from_numpy(val)]
        stats_dims = [dim for dim in range(x.ndim) if dim != 1]
        mean = x_train.mean(dim=stats_dims, keepdim=True)
        # A constant feature has std 0; eps keeps it at 0 instead of turning it into NaN.
        std = x_train.std(dim=stats_dims, keepdim=True).clamp_min(torch.finfo(x.dtype).eps)
        device = self.trainer.strategy.root_device if self.trainer else torch.device("cpu")
        self.splits = {
            name: (((inputs - mean) / std).to(device), labels.to(device))
            for name, inputs, labels in [
                ("train", x_train, y[train]),
                ("val", x_val, y[val]),
                ("test", x_test, y_test),
            ]
        }

    def _batches(self, split: str, batch_size: int, shuffle: bool = False) -> TensorBatches:
        rank, world_size = (
            (self.trainer.global_rank, self.trainer.world_size) if self.trainer else (0, 1)
        )
        return TensorBatches(
            *self.splits[split],
            batch_size=batch_size,
            shuffle=shuffle,
            seed=torch.initial_seed(),
            rank=rank,
            world_size=world_size,
        )

    def train_dataloader(self) -> TensorBatches:
        return self._batches("train", self.batch_size, shuffle=True)

    def val_dataloader(self) -> TensorBatches:
        return self._batches("val", self.eval_batch_size)

    def test_dataloader(self) -> TensorBatches:
        return self._batches("test", self.eval_batch_size)
