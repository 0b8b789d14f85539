"""Bad config values fail before anything is built, naming key, value and what is allowed."""

import json
from pathlib import Path

import pytest
from helpers import FAST, TINY_MODEL, run_cli
from hydra.errors import MissingConfigException

from actlab.config import CONFIG_DIR
from actlab.config.checks import ConfigError, Range, check_config
from actlab.run.recipe import run

RUN = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST]
GROUPS = [
    "data",
    "model",
    "optimizer",
    "scheduler",
    "regularization",
    "trainer",
    "experiment",
    "study",
]

PLATEAU = (
    "scheduler=plateau steps on val/loss, but trainer.limit_val_batches=0 turns validation off; "
    "validate, or choose a scheduler that needs no validation metric"
)
BAD = {
    "optimizer.lr=-0.1": ("optimizer.lr=-0.1", "a number > 0"),
    "optimizer.lr=fast": ("optimizer.lr='fast'", "a number > 0"),
    "optimizer.weight_decay=-1e-4": ("optimizer.weight_decay=-0.0001", "a number >= 0"),
    "optimizer=sgd_momentum optimizer.momentum=2": ("optimizer.momentum=2", "a number in [0, 1]"),
    "data.batch_size=0": ("data.batch_size=0", "an integer >= 1"),
    "data.batch_size=2.5": ("data.batch_size=2.5", "an integer >= 1"),
    "data.eval_batch_size=-5": ("data.eval_batch_size=-5", "an integer >= 1"),
    "trainer.max_epochs=-3": ("trainer.max_epochs=-3", "an integer >= -1"),
    "trainer.max_epochs=true": ("trainer.max_epochs=True", "an integer >= -1"),
    "model.dropout=1.0": ("model.dropout=1.0", "a number in [0, 1)"),
    "model.dropout=-0.2": ("model.dropout=-0.2", "a number in [0, 1)"),
    "data.val_fraction=0": ("data.val_fraction=0", "a number in (0, 1)"),
    "data.val_fraction=1.2": ("data.val_fraction=1.2", "a number in (0, 1)"),
    "data.test_fraction=1": ("data.test_fraction=1", "a number in (0, 1)"),
    "loss.label_smoothing=1.5": ("loss.label_smoothing=1.5", "a number in [0, 1]"),
    "loss.l1=-1": ("loss.l1=-1", "a number >= 0"),
    "activation_lr_scale=-2": ("activation_lr_scale=-2", "a number >= 0"),
    "seed=-1": ("seed=-1", "an integer in [0, 4294967295]"),
}
"""Each bad value (overrides): as the message shows it, and what it says is allowed."""
MESSAGES = {
    bad: f"{shown} is not allowed: it must be {allowed}" for bad, (shown, allowed) in BAD.items()
}
MESSAGES["scheduler=plateau +trainer.limit_val_batches=0"] = PLATEAU
MESSAGES["test_weights=final"] = "test_weights='final' is not allowed: it must be one of best, last"
MESSAGES["data.validation=none"] = (
    "monitor.metric=val/acc is a validation metric, but data.validation=none turns validation "
    "off; monitor a training one (monitor.metric=train/loss monitor.mode=min) or validate "
    "(data.validation=split or test)"
)
MESSAGES["data.validation=val"] = (
    "data.validation='val' is not one of split (a stratified val_fraction of the training data); "
    "test (the test set, the training data whole); none (nothing, the training data whole)"
)
MESSAGES["data/scaling=normalize data.scaling.std=0"] = (
    "data.scaling.std=0 is not allowed: every std must be > 0"
)
MESSAGES["data/scaling=normalize data.scaling.mean=[0.1,0.2]"] = (
    "data.scaling.mean=[0.1, 0.2] does not fit inputs of 30 channels: give one value, or one "
    "per channel"
)


@pytest.mark.parametrize("overrides", list(MESSAGES))
def test_each_bad_value_fails_before_training_and_is_recorded(
    compose_run, tmp_path: Path, overrides: str
) -> None:
    with pytest.raises(ConfigError) as error:
        run(compose_run(*RUN, *overrides.split()))
    assert str(error.value) == MESSAGES[overrides]
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["status"] == "failed"
    assert record["reason"] == f"ConfigError: {MESSAGES[overrides]}"
    assert record["history"] == [] and not (tmp_path / "run" / "checkpoints").exists()


@pytest.mark.parametrize("group", GROUPS)
def test_every_option_as_shipped_passes_the_checks(compose_run, group: str) -> None:
    for option in sorted(path.stem for path in (CONFIG_DIR / group).glob("*.yaml")):
        check_config(compose_run(f"{group}={option}"))


def test_ranges_describe_themselves() -> None:
    assert str(Range(0, 1, low_allowed=False)) == "a number in (0, 1]"
    assert str(Range(high=10, high_allowed=False, integer=True)) == "an integer < 10"
    assert str(Range()) == "a number"
    assert Range(low=0).allows(0) and not Range(low=0, low_allowed=False).allows(0)
    assert not Range().allows(True) and not Range().allows("1")


@pytest.mark.slow
def test_on_the_command_line_a_bad_value_fails_in_seconds_with_its_message(tmp_path) -> None:
    result = run_cli("data=breast_cancer", "model=mlp", "optimizer.lr=-1", cwd=tmp_path)
    assert result.returncode == 1
    assert "Error: optimizer.lr=-1 is not allowed: it must be a number > 0" in result.stderr
    assert "Epoch 0" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("trainer.precision=bf17", "Precision 'bf17' is invalid. Allowed precision values: ("),
        ("trainer.accelerator=tpuu", "invalid accelerator name: `accelerator='tpuu'`. Available"),
    ],
)
def test_lightning_refuses_an_unknown_precision_or_accelerator_before_training(
    compose_run, tmp_path: Path, override: str, message: str
) -> None:
    with pytest.raises(ConfigError) as error:  # building the Trainer
        run(compose_run(*RUN, override))
    assert message in str(error.value)
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["status"] == "failed" and record["history"] == []


@pytest.mark.slow
def test_an_override_of_a_key_that_does_not_exist_is_refused(tmp_path) -> None:
    result = run_cli("data=breast_cancer", "model=mlp", "optimizer.lrr=0.1", cwd=tmp_path)
    assert result.returncode == 1
    assert "Could not override 'optimizer.lrr'" in result.stderr
    assert "Key 'lrr' is not in struct" in result.stderr
    assert not (tmp_path / "logs").exists()  # refused before any run starts


EVERY_GROUP = [
    *sorted(path.name for path in CONFIG_DIR.iterdir() if path.is_dir() and path.name != "hydra"),
    "data/scaling",
    "hydra/launcher",
]


@pytest.mark.parametrize("group", EVERY_GROUP)
def test_an_unknown_option_of_any_group_is_refused_listing_the_choices(
    compose_run, group: str
) -> None:
    with pytest.raises(MissingConfigException) as error:
        compose_run(f"{group}=nope")
    message = str(error.value)
    assert f"Could not find '{group}/nope'" in message
    assert f"Available options in '{group}'" in message
    choices = sorted(path.stem for path in (CONFIG_DIR / group).glob("*.yaml"))
    assert choices and all(f"\t{choice}\n" in message + "\n" for choice in choices)
