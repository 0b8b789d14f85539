"""The knobs of a study's protocol: which weights are tested, what is validated, and the callbacks
that run a study as its code did (the optimizer built anew each epoch, the last batch's scores,
regularisation that changes at given epochs)."""

import json
from functools import partial
from pathlib import Path

import pytest
import torch
from helpers import FAST, TINY_MODEL, quiet_trainer
from torch import nn

from actlab.callbacks.last_batch_scores import LastBatchScores
from actlab.callbacks.regularization_phases import RegularizationPhases
from actlab.callbacks.restart_optimizer import RestartOptimizer
from actlab.data.batches import TensorBatches
from actlab.run.recipe import run
from actlab.training.classifier import Classifier
from actlab.utils.errors import ConfigError

MLP = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST]


def record_of(compose_run, tmp_path: Path, *overrides: str) -> dict:
    run(compose_run(*MLP, *overrides))
    return json.loads((tmp_path / "run" / "metrics.json").read_text())


@pytest.mark.parametrize("weights", ["best", "last"])
def test_the_test_evaluates_the_weights_that_test_weights_names(
    compose_run, tmp_path: Path, weights: str
) -> None:
    # Validated on the test set, the test of an epoch's weights repeats that epoch's scores. The
    # worst validation loss "monitored" as the best is the first epoch's: best and last differ.
    record = record_of(
        compose_run, tmp_path, "data.validation=test", "trainer.max_epochs=3",
        "monitor.metric=val/loss", "monitor.mode=max", f"test_weights={weights}",
    )  # fmt: skip
    first, last = record["history"][0], record["history"][-1]
    assert record["best_epoch"] == 0 and first["val/loss"] != last["val/loss"]
    tested = first if weights == "best" else last
    assert record["test"]["test/loss"] == pytest.approx(tested["val/loss"], rel=1e-6)
    assert record["test"]["test/acc"] == pytest.approx(tested["val/acc"])


def test_without_validation_a_run_trains_on_all_its_data_and_monitors_a_training_metric(
    compose_run, tmp_path: Path
) -> None:
    record = record_of(
        compose_run, tmp_path, "data.validation=none", "monitor.metric=train/loss",
        "monitor.mode=min", "test_weights=last",
    )  # fmt: skip
    assert record["status"] == "ok"
    assert not any(name.startswith("val/") for row in record["history"] for name in row)
    losses = [row["train/loss"] for row in record["history"]]
    assert record["best"] == {"train/loss": min(losses)}
    assert record["best_epoch"] == losses.index(min(losses))
    assert set(record["test"]) >= {"test/acc", "test/loss"}


def batches(count: int, size: int, seed: int = 0) -> TensorBatches:
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(count * size, 4, generator=generator)
    return TensorBatches(inputs, (inputs[:, 0] > 0).long(), batch_size=size)


def test_restart_optimizer_starts_adam_again_at_each_epoch() -> None:
    def fitted(callbacks: list) -> torch.optim.Optimizer:
        classifier = Classifier(nn.Linear(4, 2), 2, optimizer=partial(torch.optim.Adam, lr=0.01))
        trainer = quiet_trainer(max_epochs=3, limit_val_batches=0, callbacks=callbacks)
        trainer.fit(classifier, batches(count=5, size=8))
        return trainer.optimizers[0]

    steps = [float(state["step"]) for state in fitted([RestartOptimizer()]).state.values()]
    assert steps == [5.0, 5.0]  # the last epoch's steps alone
    steps = [float(state["step"]) for state in fitted([]).state.values()]
    assert steps == [15.0, 15.0]


def test_last_batch_scores_are_those_of_the_last_validation_batch_alone() -> None:
    classifier = Classifier(nn.Linear(4, 2), 2, optimizer=partial(torch.optim.SGD, lr=0.1))
    train, val = batches(count=4, size=8), batches(count=3, size=10, seed=1)
    trainer = quiet_trainer(max_epochs=1, callbacks=[LastBatchScores()])
    trainer.fit(classifier, train_dataloaders=train, val_dataloaders=val)
    inputs, labels = list(val)[-1]
    with torch.no_grad():
        predicted = classifier(inputs).argmax(1)
    metrics = trainer.callback_metrics
    assert metrics["val/last_batch_acc"] == pytest.approx((predicted == labels).float().mean())
    every = torch.cat([classifier(x).argmax(1) == y for x, y in val]).float().mean()
    assert metrics["val/acc"] == pytest.approx(every)


def test_regularization_phases_set_the_penalty_and_weight_decay_from_their_epoch_on(
    compose_run, tmp_path: Path
) -> None:
    phases = "[{epoch:0},{epoch:1,l1:0.01,weight_decay:0.1},{epoch:2,l2:0.01}]"
    record = record_of(
        compose_run, tmp_path, "trainer.max_epochs=3", "optimizer=sgd",
        "+callbacks.phases._target_=actlab.callbacks.regularization_phases.RegularizationPhases",
        f"+callbacks.phases.phases={phases}",
    )  # fmt: skip
    penalties = [row.get("train/penalty") for row in record["history"]]
    assert penalties[0] is None and penalties[1] > 0 and penalties[2] > 0
    callback = RegularizationPhases([{"epoch": 0}, {"epoch": 1, "l1": 0.01, "weight_decay": 0.1}])
    assert callback.phase_at(5) == {"l1": 0.01, "l2": 0.0, "weight_decay": 0.1}
    assert callback.phase_at(0) == {"l1": 0.0, "l2": 0.0, "weight_decay": 0.0}


@pytest.mark.parametrize(
    ("phases", "message"),
    [
        ([{"epoch": 2}], r"start at epochs \[2\]: they must start at epoch 0 and go up"),
        ([{"epoch": 0}, {"epoch": 0}], r"start at epochs \[0, 0\]"),
        ([{"epoch": 0, "l3": 1}], "a regularization phase sets l3: it sets epoch and l1, l2,"),
    ],
)
def test_bad_regularization_phases_are_refused(phases: list, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        RegularizationPhases(phases)


def test_early_stopping_ends_a_run_that_stopped_improving_and_says_so(
    compose_run, tmp_path: Path
) -> None:
    record = record_of(
        compose_run, tmp_path, "callbacks=[default,early_stopping]", "trainer.max_epochs=10",
        "callbacks.progress_bar=null", "callbacks.model_summary=null", "optimizer=sgd",
        "optimizer.lr=1e-12", "callbacks.early_stopping.patience=2",
    )  # fmt: skip
    # The weights hardly move, so val/acc never improves on the first epoch's.
    assert record["status"] == "ok" and len(record["history"]) == 3
    assert record["stopped_early"] == {
        "epoch": 2, "monitor": "val/acc", "patience": 2, "min_delta": 0.0,
    }  # fmt: skip
