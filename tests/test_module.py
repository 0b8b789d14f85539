"""Classifier: whole-epoch metrics, divergence, optimizer and scheduler from their groups."""

import logging
from functools import partial

import lightning as L
import pytest
import torch
from helpers import quiet_trainer
from sklearn.metrics import f1_score, precision_score
from torch import nn

from actlab.activations.adaptive import ATanh
from actlab.callbacks.fast_path import FastPath
from actlab.data.batches import TensorBatches
from actlab.training.classifier import Classifier

CLASSES = 4


def test_validation_metrics_are_computed_over_the_whole_epoch() -> None:
    """S1 reports F1 0.85 for a 99%-accurate MNIST model: the mean of per-batch F1 values."""
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(60, CLASSES, generator=generator)
    labels = torch.randint(CLASSES, (60,), generator=generator)
    classifier = Classifier(nn.Identity(), CLASSES, optimizer=partial(torch.optim.SGD, lr=0.1))
    batches = TensorBatches(logits, labels, batch_size=7)

    (metrics,) = quiet_trainer().validate(classifier, batches, verbose=False)

    predictions = logits.argmax(1)
    epoch_f1 = f1_score(labels, predictions, average="macro")
    mean_of_batch_f1 = sum(
        f1_score(y, p.argmax(1), average="macro", labels=range(CLASSES), zero_division=0)
        for p, y in batches
    ) / len(batches)
    assert metrics["val/f1"] == pytest.approx(epoch_f1, abs=1e-6)
    assert metrics["val/f1"] != pytest.approx(mean_of_batch_f1, abs=1e-3)
    assert metrics["val/precision"] == pytest.approx(
        precision_score(labels, predictions, average="macro", zero_division=0), abs=1e-6
    )
    assert metrics["val/acc"] == pytest.approx((predictions == labels).float().mean().item())
    expected_loss = nn.functional.cross_entropy(logits, labels).item()
    assert metrics["val/loss"] == pytest.approx(expected_loss, abs=1e-5)


def test_training_metrics_cover_every_batch_of_each_epoch() -> None:
    torch.manual_seed(0)
    inputs, labels = torch.randn(60, 3), torch.randint(CLASSES, (60,))
    model = nn.Linear(3, CLASSES)
    classifier = Classifier(model, CLASSES, optimizer=partial(torch.optim.SGD, lr=0.0))
    batches = TensorBatches(inputs, labels, batch_size=7)
    epochs = []
    record = L.Callback()
    record.on_train_epoch_end = lambda trainer, module: epochs.append(
        {name: value.item() for name, value in trainer.callback_metrics.items()}
    )
    quiet_trainer(max_epochs=2, limit_val_batches=0, callbacks=[record]).fit(classifier, batches)

    with torch.no_grad():
        correct = model(inputs).argmax(1) == labels  # lr 0: the same model all along
    accuracy = correct.float().mean().item()
    assert correct[:7].float().mean().item() != pytest.approx(accuracy, abs=1e-3)  # first batch
    assert [epoch["train/acc"] for epoch in epochs] == pytest.approx([accuracy] * 2)
    loss = nn.functional.cross_entropy(model(inputs), labels).item()
    assert epochs[-1]["train/loss"] == pytest.approx(loss, abs=1e-6)


def test_an_epoch_cut_short_by_max_steps_still_logs_its_training_metrics() -> None:
    torch.manual_seed(0)
    inputs, labels = torch.randn(60, 3), torch.randint(CLASSES, (60,))
    model = nn.Linear(3, CLASSES)
    classifier = Classifier(model, CLASSES, optimizer=partial(torch.optim.SGD, lr=0.0))
    trainer = quiet_trainer(max_steps=3, limit_val_batches=0)
    trainer.fit(classifier, TensorBatches(inputs, labels, batch_size=7))

    with torch.no_grad():
        correct = model(inputs[:21]).argmax(1) == labels[:21]  # unshuffled: the first 3 batches
    assert trainer.logged_metrics["train/acc"].item() == pytest.approx(correct.float().mean())


def test_the_scheduler_config_steps_the_optimizer_it_is_given() -> None:
    inputs, labels = torch.randn(16, 3), torch.randint(2, (16,))
    classifier = Classifier(
        nn.Linear(3, 2),
        2,
        optimizer=partial(torch.optim.SGD, lr=1.0),
        scheduler={
            "scheduler": partial(torch.optim.lr_scheduler.StepLR, step_size=1, gamma=0.5),
            "interval": "epoch",
        },
    )
    trainer = quiet_trainer(max_epochs=3, limit_val_batches=0)
    trainer.fit(classifier, TensorBatches(inputs, labels, batch_size=8))
    assert trainer.optimizers[0].param_groups[0]["lr"] == pytest.approx(0.125)


def fit_conv_classifier(accelerator: str) -> tuple[Classifier, list[torch.Tensor]]:
    """One short fit of a small conv classifier with channels_last on; the conv's inputs."""
    seen: list[torch.Tensor] = []
    conv = nn.Conv2d(3, 4, 3)
    conv.register_forward_pre_hook(lambda module, args: seen.append(args[0]))
    model = nn.Sequential(conv, nn.AdaptiveAvgPool2d(1), nn.Flatten())
    classifier = Classifier(model, 4, optimizer=partial(torch.optim.SGD, lr=0.1))
    batches = TensorBatches(torch.randn(8, 3, 8, 8), torch.randint(4, (8,)), batch_size=4)
    L.Trainer(
        accelerator=accelerator, max_epochs=1, logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False,
        callbacks=[FastPath(channels_last=True)],
    ).fit(classifier, batches)  # fmt: skip
    return classifier, seen


def test_channels_last_is_skipped_on_cpu(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="actlab.callbacks.fast_path"):
        classifier, seen = fit_conv_classifier("cpu")
    assert "channels_last skipped on cpu (oneDNN#6035)" in caplog.text
    assert classifier.model[0].weight.is_contiguous()
    assert all(x.is_contiguous() for x in seen)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_channels_last_converts_conv_weights_and_image_batches_on_gpu() -> None:
    classifier, seen = fit_conv_classifier("gpu")
    assert classifier.model[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert all(x.is_contiguous(memory_format=torch.channels_last) for x in seen)


@pytest.mark.parametrize("optimizer", [torch.optim.SGD, torch.optim.AdamW, torch.optim.Adagrad])
def test_activation_parameters_get_a_group_without_weight_decay(optimizer: type) -> None:
    model = nn.Sequential(nn.Linear(3, 4), ATanh(), nn.Linear(4, 4), nn.PReLU(), nn.Linear(4, 2))
    classifier = Classifier(
        model, 2, optimizer=partial(optimizer, lr=0.01, weight_decay=0.1), activation_lr_scale=10
    )
    weights, activation = classifier.configure_optimizers().param_groups
    assert {id(p) for p in weights["params"]} == {
        id(p) for i in (0, 2, 4) for p in model[i].parameters()
    }
    assert (weights["lr"], weights["weight_decay"]) == (0.01, 0.1)
    assert {id(p) for p in activation["params"]} == {
        id(p) for i in (1, 3) for p in model[i].parameters()
    }
    assert activation["lr"] == pytest.approx(0.1)
    assert activation["weight_decay"] == 0.0


def test_without_learnable_activations_there_is_one_group() -> None:
    classifier = Classifier(
        nn.Sequential(nn.Linear(3, 2), nn.ReLU()), 2, partial(torch.optim.SGD, lr=0.1)
    )
    assert len(classifier.configure_optimizers().param_groups) == 1
