"""The data of a stack (a sweep's runs trained as one): each member's training batches in its own
order, the same validation and test batches for all."""

from collections.abc import Iterator
from typing import Any

import lightning as L
import torch
from torch import Tensor

from actlab.data.batches import TensorBatches
from actlab.data.in_memory import InMemoryDataModule


class StackedBatches:
    """One training batch per member at each step, `[K, B, ...]`: member k's drawn from its own
    `TensorBatches` (its own shuffle, seeded with its run's seed, as its solo run draws them)."""

    def __init__(self, members: list[TensorBatches]) -> None:
        self.members = members

    def __len__(self) -> int:
        return len(self.members[0])

    def __iter__(self) -> Iterator[tuple[Tensor, ...]]:
        for batches in zip(*self.members, strict=True):
            yield tuple(torch.stack(parts) for parts in zip(*batches, strict=True))


class StackedData(L.LightningDataModule):
    """`data` (the members' one dataset: a stack's members share their data config) for a stack
    whose members were seeded with `seeds`: training batches `[K, B, ...]`, each member's in the
    order its solo run draws; augmented and scaled as `data` does, each member's batch augmented
    with the random numbers its solo run draws (`StackedClassifier.drawing_as`)."""

    def __init__(self, data: InMemoryDataModule, seeds: list[int]) -> None:
        super().__init__()
        self.data = data
        self.seeds = seeds
        self.train_batches: StackedBatches | None = None
        self.shuffle_states: list[Tensor] | None = None  # from a checkpoint

    def prepare_data(self) -> None:
        self.data.prepare_data()

    def setup(self, stage: str | None = None) -> None:
        self.data.trainer = self.trainer
        self.data.setup(stage)

    def train_dataloader(self) -> StackedBatches:
        self.train_batches = StackedBatches([self.data.training_batches(s) for s in self.seeds])
        if self.shuffle_states is not None:
            for batches, state in zip(self.train_batches.members, self.shuffle_states, strict=True):
                batches.generator.set_state(state)
        return self.train_batches

    def val_dataloader(self) -> TensorBatches | list:
        return self.data.val_dataloader()

    def test_dataloader(self) -> TensorBatches:
        return self.data.test_dataloader()

    def on_after_batch_transfer(
        self, batch: tuple[Tensor, ...], dataloader_idx: int
    ) -> tuple[Tensor, ...]:
        inputs, *labels = batch
        if self.trainer is None or not self.trainer.training:
            return self.data.on_after_batch_transfer(batch, dataloader_idx)
        if self.data.augmentation is None:  # scaled as one batch: nothing random
            flat, *_ = self.data.on_after_batch_transfer((inputs.flatten(0, 1),), dataloader_idx)
            return flat.unflatten(0, (inputs.shape[0], -1)), *labels
        stack = self.trainer.lightning_module
        augmented = []
        for k, one in enumerate(inputs):  # each with its member's random numbers
            with stack.drawing_as(k):
                augmented += self.data.on_after_batch_transfer((one,), dataloader_idx)
        return torch.stack(augmented), *labels

    def state_dict(self) -> dict[str, Any]:
        if self.train_batches is None:
            return {}
        return {"shuffle": [b.generator.get_state() for b in self.train_batches.members]}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.shuffle_states = state_dict.get("shuffle")
