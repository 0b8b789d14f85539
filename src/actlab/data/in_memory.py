"""The shared base of actlab's DataModules: a dataset held whole in memory."""

from collections.abc import Callable
from typing import Any

import lightning as L
import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import Tensor

from actlab.data.batches import TensorBatches
from actlab.data.scaling import Scaling, Standardize
from actlab.utils.errors import ConfigError

Augmentation = Callable[[Tensor], Tensor]

VALIDATION = {
    "split": "a stratified val_fraction of the training data",
    "test": "the test set, the training data whole",
    "none": "nothing, the training data whole",
}
"""What each value of `validation` evaluates at each epoch's end."""


class InMemoryDataModule(L.LightningDataModule):
    """A dataset held as tensors on the training device, augmented and scaled per batch.

    A subclass names its `input_shape` and `num_classes` and implements `load`. This class moves
    every split, as loaded (images stay uint8), to the device the trainer trains on. Each batch is
    then augmented (training only) and scaled there by `scaling` (default: standardised with the
    training part's mean and std, per channel for images, per feature for tables).

    What is validated at each epoch's end is a protocol's choice, `validation`: `split`, a
    stratified `val_fraction` of the training data (the rest is trained on); `test`, the test set,
    training on all the training data (what S3's and S4's code do); `none`, nothing, training on
    all the training data. `split_seed` draws the validation split (and, where a dataset has no
    official test split, the test part); `shuffle_seed` the order of the training batches (None:
    the run's seed), so the sources of a result's spread can be varied apart. `augmentation` is
    the dataset's training augmentation and `augment` whether it is applied. With `drop_last`,
    every training batch has one shape (a last smaller one is left out of each epoch): what a
    compiled model with CUDA graphs wants.
    """

    input_shape: tuple[int, ...]
    num_classes: int

    def __init__(
        self,
        batch_size: int = 128,
        eval_batch_size: int = 1000,
        val_fraction: float = 0.1,
        split_seed: int = 42,
        shuffle_seed: int | None = None,
        augment: bool = False,
        augmentation: Augmentation | None = None,
        drop_last: bool = False,
        scaling: Scaling | None = None,
        validation: str = "split",
    ) -> None:
        super().__init__()
        if validation not in VALIDATION:
            raise ConfigError(
                f"data.validation={validation!r} is not one of "
                + "; ".join(f"{name} ({what})" for name, what in VALIDATION.items())
            )
        if augment and augmentation is None:
            raise ConfigError(
                f"{type(self).__name__} has no augmentation (data.augmentation is null), so "
                "data.augment must be false; give data.augmentation to augment it"
            )
        self.batch_size = batch_size
        self.eval_batch_size = eval_batch_size
        self.val_fraction = val_fraction
        self.split_seed = split_seed
        self.shuffle_seed = shuffle_seed
        self.augmentation = augmentation if augment else None
        self.drop_last = drop_last
        self.scaling = scaling or Standardize()
        self.validation = validation
        self.splits: dict[str, tuple[Tensor, Tensor]] = {}
        self.train_batches: TensorBatches | None = None
        self.shuffle_state: Tensor | None = None  # from a checkpoint, for the next train batches

    def load(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Training inputs and labels, then test inputs and labels; labels as int64."""
        raise NotImplementedError

    def setup(self, stage: str | None = None) -> None:
        if self.splits:
            return
        x, y, x_test, y_test = self.load()
        splits = {"train": (x, y), "test": (x_test, y_test)}
        if self.validation == "split":
            train, val = train_test_split(
                np.arange(len(y)),
                test_size=self.val_fraction,
                stratify=y.numpy(),
                random_state=self.split_seed,
            )
            train, val = torch.from_numpy(train), torch.from_numpy(val)
            splits |= {"train": (x[train], y[train]), "val": (x[val], y[val])}
        elif self.validation == "test":
            splits["val"] = splits["test"]
        self.scaling.fit(splits["train"][0])
        device = self.trainer.strategy.root_device if self.trainer else torch.device("cpu")
        self.scaling.to(device)
        self.splits = {
            name: (inputs.to(device), labels.to(device))
            for name, (inputs, labels) in splits.items()
        }

    def on_after_batch_transfer(
        self, batch: tuple[Tensor, ...], dataloader_idx: int
    ) -> tuple[Tensor, ...]:
        # Inputs, then their labels; inputs alone in the model summary's example batch.
        inputs, *labels = batch
        if self.augmentation is not None and self.trainer is not None and self.trainer.training:
            inputs = self.augmentation(inputs)
        return self.scaling(inputs), *labels

    def _batches(
        self,
        split: str,
        batch_size: int,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
    ) -> TensorBatches:
        rank, world_size = (
            (self.trainer.global_rank, self.trainer.world_size) if self.trainer else (0, 1)
        )
        return TensorBatches(
            *self.splits[split],
            batch_size=batch_size,
            shuffle=shuffle,
            seed=torch.initial_seed() if seed is None else seed,
            rank=rank,
            world_size=world_size,
            drop_last=drop_last,
        )

    def training_batches(self, seed: int | None = None) -> TensorBatches:
        """The training batches, shuffled by a generator of their own seeded with `shuffle_seed`
        where it is set, else with `seed` (the run's seed, torch's initial one, where it is
        None)."""
        # Lightning's overfit_batches wants the same batches every epoch (it turns a DataLoader's
        # shuffling off): so do these.
        shuffle = not (self.trainer and self.trainer.overfit_batches)
        if self.shuffle_seed is not None:
            seed = self.shuffle_seed
        return self._batches(
            "train", self.batch_size, shuffle=shuffle, drop_last=self.drop_last, seed=seed
        )

    def train_dataloader(self) -> TensorBatches:
        self.train_batches = self.training_batches()
        if self.shuffle_state is not None:
            self.train_batches.generator.set_state(self.shuffle_state)
        return self.train_batches

    def state_dict(self) -> dict[str, Any]:
        """The state of the training batches' shuffle, kept in checkpoints: a run resumed from
        the end of an epoch draws the orders that the run would have drawn had it gone on."""
        if self.train_batches is None:
            return {}
        return {"shuffle": self.train_batches.generator.get_state()}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.shuffle_state = state_dict.get("shuffle")

    def val_dataloader(self) -> TensorBatches | list:
        if "val" not in self.splits:
            return []  # nothing to validate: Lightning skips validation
        return self._batches("val", self.eval_batch_size)

    def test_dataloader(self) -> TensorBatches:
        return self._batches("test", self.eval_batch_size)
