"""The `regularization` config group: each option alone and combined, and the loss terms."""

import copy
import json
from functools import partial
from pathlib import Path

import pytest
import torch
from helpers import FAST, TINY_MODEL, quiet_trainer
from hydra.utils import instantiate
from torch import nn

from actlab.activations.adaptive import ATanh
from actlab.config import CONFIG_DIR
from actlab.data.augmentation import RandomCropFlip
from actlab.data.batches import TensorBatches
from actlab.regularization.penalty import penalized_weights, weight_penalty
from actlab.run.recipe import run
from actlab.training.classifier import Classifier

REGULARIZATIONS = sorted(path.stem for path in (CONFIG_DIR / "regularization").glob("*.yaml"))


def test_the_group_has_every_regularization_the_studies_use() -> None:
    assert set(REGULARIZATIONS) >= {
        "none", "l1", "l2", "dropout", "batchnorm", "augmentation", "label_smoothing", "grad_clip",
    }  # fmt: skip


@pytest.mark.parametrize("name", REGULARIZATIONS)
def test_each_option_trains_a_short_run(name: str, compose_run, data_dir: Path) -> None:
    cfg = compose_run(
        "data=mnist", "model=mlp", *TINY_MODEL["mlp"], *FAST,
        f"regularization={name}", "trainer.max_epochs=1", "+trainer.limit_train_batches=2",
    )  # fmt: skip
    run(cfg)
    record = json.loads((data_dir.parent / "run" / "metrics.json").read_text())
    assert record["status"] == "ok"
    assert record["hparams"]["regularization"] == name
    assert ("train/penalty" in record["history"][0]) == (name == "l1")


def test_options_combine_in_one_run(compose_run, data_dir: Path) -> None:
    chosen = "regularization=[dropout,batchnorm,augmentation,label_smoothing,grad_clip,l1,l2]"
    cfg = compose_run(
        "data=mnist", "model=mlp", *TINY_MODEL["mlp"], *FAST, chosen,
        "trainer.max_epochs=1", "+trainer.limit_train_batches=2",
    )  # fmt: skip
    assert cfg.model.dropout == 0.5 and cfg.model.batch_norm
    assert cfg.data.augment
    assert cfg.loss.label_smoothing == 0.1 and cfg.loss.l1 > 0
    assert cfg.optimizer.weight_decay > 0
    assert (cfg.trainer.gradient_clip_val, cfg.trainer.gradient_clip_algorithm) == (0.5, "value")
    run(cfg)
    record = json.loads((data_dir.parent / "run" / "metrics.json").read_text())
    assert record["status"] == "ok"
    assert record["hparams"]["regularization"] == chosen.split("=")[1]


def test_penalties_cover_linear_and_conv_weights_only() -> None:
    model = nn.Sequential(
        nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.PReLU(), nn.Flatten(),
        nn.Linear(8, 3), ATanh(), nn.LayerNorm(3), nn.Linear(3, 2),
    )  # fmt: skip
    weights = penalized_weights(model)
    assert all(any(w is m.weight for m in (model[0], model[4], model[7])) for w in weights)
    assert len(weights) == 3
    l1 = sum(m.weight.abs().sum() for m in (model[0], model[4], model[7]))
    l2 = sum(m.weight.square().sum() for m in (model[0], model[4], model[7]))
    assert weight_penalty(weights, l1=0.1, l2=0.01).item() == pytest.approx(
        (0.1 * l1 + 0.01 * l2).item()
    )


def test_l1_moves_weights_towards_zero_and_leaves_biases_to_the_data() -> None:
    """One SGD step: a weight moves by lr * (data gradient + l1 * sign(w)), a bias by lr * its
    data gradient only."""
    torch.manual_seed(0)
    inputs, labels = torch.randn(8, 3), torch.randint(2, (8,))
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 2))
    reference = copy.deepcopy(model)
    nn.functional.cross_entropy(reference(inputs), labels).backward()
    lr, l1 = 0.1, 0.5
    classifier = Classifier(model, 2, optimizer=partial(torch.optim.SGD, lr=lr), l1=l1)
    quiet_trainer(max_steps=1, limit_val_batches=0).fit(
        classifier, TensorBatches(inputs, labels, batch_size=8)
    )
    for trained, start in zip(model.parameters(), reference.parameters(), strict=True):
        is_weight = any(trained is m.weight for m in (model[0], model[3]))
        penalty_grad = l1 * start.sign() if is_weight else 0
        expected = start - lr * (start.grad + penalty_grad)
        torch.testing.assert_close(trained.detach(), expected.detach())


def test_label_smoothing_applies_to_the_training_loss_only() -> None:
    torch.manual_seed(0)
    inputs, labels = torch.randn(16, 3), torch.randint(3, (16,))
    model = nn.Linear(3, 3)
    classifier = Classifier(
        model, 3, optimizer=partial(torch.optim.SGD, lr=0.0), label_smoothing=0.2
    )
    batches = TensorBatches(inputs, labels, batch_size=16)
    trainer = quiet_trainer(max_epochs=1, num_sanity_val_steps=0)
    trainer.fit(classifier, batches, batches)
    logits = model(inputs)
    smoothed = nn.functional.cross_entropy(logits, labels, label_smoothing=0.2)
    plain = nn.functional.cross_entropy(logits, labels)
    assert trainer.callback_metrics["train/loss"].item() == pytest.approx(smoothed.item())
    assert trainer.callback_metrics["val/loss"].item() == pytest.approx(plain.item())
    assert smoothed.item() != pytest.approx(plain.item())


def test_augmentation_shifts_28x28_images_and_flips_only_clothes(compose_run) -> None:
    mnist = instantiate(compose_run("data=mnist", "regularization=augmentation").data)
    fashion = instantiate(compose_run("data=fashion_mnist", "regularization=augmentation").data)
    assert isinstance(mnist.augmentation, RandomCropFlip)
    assert (mnist.augmentation.padding, mnist.augmentation.flip) == (2, 0.0)
    assert (fashion.augmentation.padding, fashion.augmentation.flip) == (2, 0.5)
    assert instantiate(compose_run("data=mnist").data).augmentation is None


def test_augmenting_a_table_names_the_problem(compose_run) -> None:
    cfg = compose_run("data=breast_cancer", "regularization=augmentation")
    with pytest.raises(Exception, match="BreastCancerDataModule has no augmentation"):
        instantiate(cfg.data)
