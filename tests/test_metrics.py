"""EpochScores agrees with torchmetrics' definitions, over batches, absent classes and a NaN."""

import math

import pytest
import torch
from torchmetrics.functional.classification import (
    multiclass_accuracy,
    multiclass_f1_score,
    multiclass_precision,
    multiclass_recall,
)

from actlab.training.metrics import EpochScores


@pytest.mark.parametrize("num_classes", [2, 10])
def test_scores_of_an_epoch_match_torchmetrics_over_the_whole_epoch(num_classes: int) -> None:
    generator = torch.Generator().manual_seed(num_classes)
    # Class 0 is never a label and never predicted: macro averages leave it out, as torchmetrics.
    labels = torch.randint(1, num_classes, (300,), generator=generator)
    logits = torch.randn(300, num_classes, generator=generator)
    logits[:, 0] = -10
    losses = torch.rand(3, generator=generator)
    scores = EpochScores(num_classes)
    for part, batch in enumerate(torch.arange(300).split([100, 150, 50])):
        scores.update(logits[batch], labels[batch], losses[part])
    result = scores.compute()
    reference = {
        "acc": multiclass_accuracy(logits, labels, num_classes, average="micro"),
        "precision": multiclass_precision(logits, labels, num_classes, average="macro"),
        "recall": multiclass_recall(logits, labels, num_classes, average="macro"),
        "f1": multiclass_f1_score(logits, labels, num_classes, average="macro"),
        "loss": (losses * torch.tensor([100, 150, 50])).sum() / 300,
    }
    assert set(result) == set(reference)
    for name, value in reference.items():
        assert result[name].item() == pytest.approx(value.item(), abs=1e-6), name


def test_a_class_predicted_but_never_a_label_counts_with_recall_zero() -> None:
    scores = EpochScores(3)
    logits = torch.eye(3)[[0, 1, 2, 2]]  # predictions 0, 1, 2, 2
    labels = torch.tensor([0, 1, 1, 1])
    scores.update(logits, labels, torch.tensor(0.5))
    result = scores.compute()
    expected = multiclass_recall(logits, labels, 3, average="macro")
    assert result["recall"].item() == pytest.approx(expected.item())
    assert result["acc"].item() == pytest.approx(0.5)


def test_a_nan_loss_makes_the_epoch_loss_nan_and_reset_starts_afresh() -> None:
    scores = EpochScores(2)
    logits, labels = torch.tensor([[1.0, 0.0]]), torch.tensor([0])
    scores.update(logits, labels, torch.tensor(float("nan")))
    scores.update(logits, labels, torch.tensor(1.0))
    assert math.isnan(scores.compute()["loss"].item())
    scores.reset()
    scores.update(logits, labels, torch.tensor(1.0))
    assert scores.compute()["loss"].item() == 1.0
    assert scores.compute()["acc"].item() == 1.0
