"""Mini-batches drawn from tensors in memory."""

import pytest
import torch

from actlab.data.batches import TensorBatches


def samples(batches: TensorBatches) -> torch.Tensor:
    return torch.cat([batch[0] for batch in batches])


def test_an_epoch_visits_every_sample_once_in_batches_of_the_size_asked() -> None:
    x = torch.arange(10)
    batches = TensorBatches(x, x * 2, batch_size=4, shuffle=True)
    assert len(batches) == 3
    assert [len(b) for b, _ in batches] == [4, 4, 2]
    assert sorted(samples(batches).tolist()) == list(range(10))
    assert all(torch.equal(y, b * 2) for b, y in batches)


def test_with_drop_last_every_batch_has_one_shape() -> None:
    x = torch.arange(10)
    batches = TensorBatches(x, batch_size=4, shuffle=True, drop_last=True)
    assert len(batches) == 2 and [len(b) for (b,) in batches] == [4, 4]


def test_each_epoch_has_a_new_order_and_a_seed_repeats_them() -> None:
    x = torch.arange(100)
    first, again = (TensorBatches(x, batch_size=10, shuffle=True, seed=3) for _ in range(2))
    epochs = [samples(first) for _ in range(2)]
    assert not torch.equal(epochs[0], epochs[1])
    assert all(torch.equal(e, samples(again)) for e in epochs)


def test_evaluation_keeps_the_natural_order() -> None:
    x = torch.arange(7)
    assert torch.equal(samples(TensorBatches(x, batch_size=3)), x)


def test_ranks_train_on_disjoint_shares_of_equal_length() -> None:
    x = torch.arange(11)
    shares = [
        samples(TensorBatches(x, batch_size=2, shuffle=True, seed=0, rank=r, world_size=3))
        for r in range(3)
    ]
    assert [len(s) for s in shares] == [3, 3, 3]
    assert len(set(torch.cat(shares).tolist())) == 9


def test_ranks_evaluate_on_every_sample_once() -> None:
    x = torch.arange(11)
    shares = [samples(TensorBatches(x, batch_size=2, rank=r, world_size=3)) for r in range(3)]
    assert sorted(torch.cat(shares).tolist()) == list(range(11))


def test_a_batch_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        TensorBatches(torch.arange(3), batch_size=0)
