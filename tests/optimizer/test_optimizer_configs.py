"""The `optimizer` config group: every option trains a few batches through a Hydra-composed run."""

import json
from pathlib import Path

import pytest
import torch
from helpers import FAST, TINY_MODEL
from hydra.utils import instantiate
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch import nn

from actlab.config import CONFIG_DIR
from actlab.run.recipe import run

OPTIMIZERS = sorted(path.stem for path in (CONFIG_DIR / "optimizer").glob("*.yaml"))


def test_the_group_has_every_optimizer_the_studies_use() -> None:
    assert set(OPTIMIZERS) >= {"sgd", "sgd_momentum", "adam", "adamw", "adagrad", "rmsprop"}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_each_optimizer_trains_a_short_run_at_its_learning_rate(
    name: str, compose_run, tmp_path: Path
) -> None:
    cfg = compose_run(
        "data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST,
        f"optimizer={name}", "trainer.max_epochs=1", "trainer.log_every_n_steps=1",
        "+trainer.limit_train_batches=3",
    )  # fmt: skip
    run(cfg)
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["status"] == "ok"
    assert record["hparams"]["optimizer"] == name
    events = EventAccumulator(str(tmp_path / "run" / "tensorboard")).Reload()
    kind = cfg.optimizer._target_.rsplit(".", 1)[1]
    rates = [event.value for event in events.Scalars(f"~run/lr-{kind}/weights")]
    assert rates == pytest.approx([cfg.optimizer.lr])  # once an epoch


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_takes_nesterov_as_an_option(compose_run, nesterov: bool) -> None:
    cfg = compose_run("optimizer=sgd_momentum", f"optimizer.nesterov={nesterov}")
    optimizer = instantiate(cfg.optimizer)(nn.Linear(2, 1).parameters())
    assert isinstance(optimizer, torch.optim.SGD)
    assert optimizer.defaults["momentum"] == 0.9
    assert optimizer.defaults["nesterov"] is nesterov


def test_adam_takes_s1s_beta1(compose_run) -> None:
    cfg = compose_run("optimizer=adam", "optimizer.betas=[0.89,0.999]")
    optimizer = instantiate(cfg.optimizer)(nn.Linear(2, 1).parameters())
    assert optimizer.defaults["betas"] == (0.89, 0.999)
