"""DivergenceWatch: a non-finite training loss stops the run at the step it first happened, read
from the device at logging steps only (tests/test_host_sync.py checks the steps between)."""

import math
from functools import partial

import pytest
import torch
from helpers import quiet_trainer
from torch import nn

from actlab.callbacks.divergence import Diverged, DivergenceWatch
from actlab.data.batches import TensorBatches
from actlab.training.classifier import Classifier


def test_a_non_finite_training_loss_is_reported_at_the_step_it_first_happened() -> None:
    inputs = torch.randn(64, 3)
    inputs[40:] = float("nan")
    labels = torch.randint(2, (64,))
    model = nn.Linear(3, 2)
    with torch.no_grad():  # lr 0: the model of every step; unshuffled: step 4 is rows 32 to 39
        last = nn.functional.cross_entropy(model(inputs[32:40]), labels[32:40]).item()
    classifier = Classifier(model, 2, optimizer=partial(torch.optim.SGD, lr=0.0))
    batches = TensorBatches(inputs, labels, batch_size=8)
    with pytest.raises(Diverged, match=r"training loss became nan at step 5 \(epoch 0\)") as error:
        quiet_trainer(max_epochs=1, callbacks=[DivergenceWatch()]).fit(classifier, batches)
    details = error.value.details
    assert (details["step"], details["epoch"], math.isnan(details["loss"])) == (5, 0, True)
    assert details["last_finite_loss"] == pytest.approx(last)
    assert f"the last finite loss was {last:.6g}" in str(error.value)


def test_with_accumulated_gradients_the_loss_reported_is_the_batchs_own() -> None:
    inputs = torch.randn(64, 3)
    inputs[40:] = float("nan")
    labels = torch.randint(2, (64,))
    model = nn.Linear(3, 2)
    with torch.no_grad():  # Lightning hands callbacks the loss halved: it is whole again here
        last = nn.functional.cross_entropy(model(inputs[32:40]), labels[32:40]).item()
    classifier = Classifier(model, 2, optimizer=partial(torch.optim.SGD, lr=0.0))
    trainer = quiet_trainer(max_epochs=1, accumulate_grad_batches=2, callbacks=[DivergenceWatch()])
    with pytest.raises(Diverged) as error:
        trainer.fit(classifier, TensorBatches(inputs, labels, batch_size=8))
    assert error.value.details["last_finite_loss"] == pytest.approx(last)
