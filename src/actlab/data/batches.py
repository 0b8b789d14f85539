"""Mini-batches drawn from tensors already in memory."""

from collections.abc import Iterator

import torch
from torch import Tensor


class TensorBatches:
    """What a DataLoader over in-memory tensors yields, without its per-sample work.

    Each pass draws a new order from the loader's own generator when `shuffle` is set. Under
    distributed training every rank takes a disjoint share of that order; for training the shares
    are cut to equal length, so that all ranks step the same number of times. With `drop_last`,
    a last batch smaller than the others is left out: every batch has one shape.
    """

    def __init__(
        self,
        *tensors: Tensor,
        batch_size: int,
        shuffle: bool = False,
        seed: int = 0,
        rank: int = 0,
        world_size: int = 1,
        drop_last: bool = False,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
        self.tensors = tensors
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = torch.Generator().manual_seed(seed)
        self.rank = rank
        self.world_size = world_size
        self.drop_last = drop_last

    def _num_samples(self) -> int:
        total = len(self.tensors[0])
        if self.shuffle:
            return total // self.world_size
        return len(range(self.rank, total, self.world_size))

    def __len__(self) -> int:
        if self.drop_last:
            return self._num_samples() // self.batch_size
        return -(-self._num_samples() // self.batch_size)

    def __iter__(self) -> Iterator[tuple[Tensor, ...]]:
        total = len(self.tensors[0])
        order = (
            torch.randperm(total, generator=self.generator) if self.shuffle else torch.arange(total)
        )
        order = order[self.rank :: self.world_size][: self._num_samples()]
        order = order.to(self.tensors[0].device)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            index = order[start : start + self.batch_size]
            yield tuple(tensor[index] for tensor in self.tensors)
