"""The `scheduler` config group: every option drives a short run at its own stepping interval."""

import json
from functools import partial
from pathlib import Path

import pytest
import torch
from helpers import FAST, TINY_MODEL, quiet_trainer
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch import nn

from actlab.activations.adaptive import ATanh
from actlab.config import CONFIG_DIR
from actlab.data.batches import TensorBatches
from actlab.run.recipe import run
from actlab.schedulers.warmup_cosine import warmup_cosine
from actlab.training.classifier import Classifier

SCHEDULERS = sorted(path.stem for path in (CONFIG_DIR / "scheduler").glob("*.yaml"))
BATCHES = 3
"""Training batches per epoch in the short runs."""


def test_the_group_has_every_schedule_the_studies_use() -> None:
    assert set(SCHEDULERS) >= {
        "none", "step", "multistep", "exponential", "cosine", "cosine_warm_restarts", "cyclic",
        "onecycle", "plateau", "warmup_cosine",
    }  # fmt: skip


@pytest.mark.parametrize("name", SCHEDULERS)
def test_each_schedule_steps_at_its_interval_and_its_rate_is_logged_every_step(
    name: str, compose_run, tmp_path: Path
) -> None:
    cfg = compose_run(
        "data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST,
        "optimizer=sgd", "optimizer.lr=0.1", f"scheduler={name}", "trainer.max_epochs=2",
        "trainer.log_every_n_steps=1", f"+trainer.limit_train_batches={BATCHES}",
        "callbacks.learning_rate_monitor.logging_interval=step",  # once an epoch by default
        *(["scheduler.scheduler.warmup_epochs=1"] if name == "warmup_cosine" else []),
    )  # fmt: skip
    run(cfg)
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["status"] == "ok"
    events = EventAccumulator(str(tmp_path / "run" / "tensorboard")).Reload()
    rates = [event.value for event in events.Scalars("~run/lr-SGD/weights")]
    assert len(rates) == 2 * BATCHES
    first_epoch = set(rates[:BATCHES])
    if cfg.scheduler.get("interval") == "step":
        assert len(first_epoch) == BATCHES
    else:
        assert len(first_epoch) == 1


def fit(classifier: Classifier, epochs: int, batches: int) -> None:
    """`epochs` of `batches` batches of random data, quietly."""
    inputs, labels = torch.randn(4 * batches, 3), torch.randint(2, (4 * batches,))
    quiet_trainer(max_epochs=epochs, limit_val_batches=0).fit(
        classifier, TensorBatches(inputs, labels, batch_size=4)
    )


def test_onecycle_takes_the_runs_number_of_steps_from_the_trainer() -> None:
    classifier = Classifier(
        nn.Linear(3, 2),
        2,
        optimizer=partial(torch.optim.SGD, lr=0.1),
        scheduler={
            "scheduler": partial(torch.optim.lr_scheduler.OneCycleLR, max_lr=0.01),
            "interval": "step",
        },
    )
    fit(classifier, epochs=3, batches=2)  # OneCycleLR raises when stepped past total_steps
    scheduler = classifier.trainer.lr_scheduler_configs[0].scheduler
    assert scheduler.total_steps == 6
    assert scheduler.last_epoch == 6


@pytest.mark.parametrize(
    "scheduler",
    [
        partial(torch.optim.lr_scheduler.OneCycleLR, max_lr=0.01, total_steps=10),
        partial(torch.optim.lr_scheduler.CyclicLR, base_lr=0.001, max_lr=0.01),
    ],
)
def test_absolute_rates_keep_the_activations_learning_rate_scale(scheduler: partial) -> None:
    model = nn.Sequential(nn.Linear(3, 4), ATanh(), nn.Linear(4, 2))
    classifier = Classifier(
        model,
        2,
        optimizer=partial(torch.optim.SGD, lr=0.1),
        scheduler={"scheduler": scheduler, "interval": "step"},
        activation_lr_scale=10,
    )
    configured = classifier.configure_optimizers()
    optimizer, schedule = configured["optimizer"], configured["lr_scheduler"]["scheduler"]
    weights, activation = optimizer.param_groups
    for _ in range(4):
        assert activation["lr"] == pytest.approx(10 * weights["lr"])
        optimizer.step()
        schedule.step()
    assert weights["lr"] != pytest.approx(0.1)  # the schedule, not the optimizer, set it


def test_warmup_cosine_rises_linearly_then_falls_along_a_cosine() -> None:
    optimizer = torch.optim.SGD(nn.Linear(2, 1).parameters(), lr=1.0)
    scheduler = warmup_cosine(optimizer, warmup_epochs=2, max_epochs=4, start_factor=0.5)
    rates = []
    for _ in range(4):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert rates == pytest.approx([0.5, 0.75, 1.0, 0.5])


def test_warmup_cosine_refuses_a_warmup_as_long_as_the_run() -> None:
    optimizer = torch.optim.SGD(nn.Linear(2, 1).parameters(), lr=1.0)
    with pytest.raises(
        ValueError, match="warmup_epochs=5 must be at least 1 and less than max_epochs=5"
    ):
        warmup_cosine(optimizer, warmup_epochs=5, max_epochs=5)
