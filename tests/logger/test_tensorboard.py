"""TensorBoard as a researcher reads it: the curves first, learned values named by their site,
steps that go forward, step-level values several times an epoch, HParams columns that matter,
and a progress bar without Lightning's version fragment."""

from pathlib import Path

import lightning as L
import pytest
from helpers import FAST, TINY_MODEL
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2

from actlab.callbacks.logging_interval import interval_for
from actlab.callbacks.progress_bar import ProgressBar
from actlab.loggers.tensorboard import TensorBoardLogger, tensorboard_tag
from actlab.run.recipe import run

EPOCHS = 3


@pytest.fixture
def events(compose_run, tmp_path: Path) -> EventAccumulator:
    """The TensorBoard events of a short PReLU MLP run on breast cancer, its logging interval
    left to actlab."""
    cfg = compose_run(
        "data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST,
        f"trainer.max_epochs={EPOCHS}", "activation=prelu",
    )  # fmt: skip
    run(cfg)
    accumulator = EventAccumulator(str(tmp_path / "run" / "tensorboard"), {"scalars": 0})
    return accumulator.Reload()


def steps(events: EventAccumulator, tag: str) -> list[int]:
    return [event.step for event in events.Scalars(tag)]


def test_tags_that_are_not_curves_sort_after_them() -> None:
    assert tensorboard_tag("val/acc") == "val/acc"
    assert tensorboard_tag("train/loss_step") == "train/loss_step"
    assert tensorboard_tag("adaptive/act1/weight") == "~adaptive/act1/weight"
    assert tensorboard_tag("diagnostics/dead/act1") == "~diagnostics/dead/act1"
    assert tensorboard_tag("my_metric") == "~my_metric"
    assert tensorboard_tag("epoch") == "~run/epoch"
    assert tensorboard_tag("lr-Adam/weights") == "~run/lr-Adam/weights"
    assert tensorboard_tag("test/acc") == "~hparams/test_acc"
    assert tensorboard_tag("~hparams/x") == "~hparams/x"


def test_the_curves_open_first_and_learned_values_are_named_by_their_site(events) -> None:
    tags = events.Tags()["scalars"]
    groups = list(dict.fromkeys(tag.split("/")[0] for tag in sorted(tags)))
    assert groups[:2] == ["train", "val"]  # TensorBoard opens the first two groups
    assert set(groups[2:]) == {"~adaptive", "~hparams", "~run"}
    assert {"~adaptive/act1/weight", "~adaptive/act2/weight"} <= set(tags)


def test_every_tags_steps_go_forward_and_epoch_values_come_once_an_epoch(events) -> None:
    for tag in events.Tags()["scalars"]:
        logged = steps(events, tag)
        assert logged == sorted(set(logged)), tag
    for tag in ("val/acc", "train/loss", "~run/epoch", "~run/lr-Adam/weights"):
        assert len(steps(events, tag)) == EPOCHS, tag
    assert [event.value for event in events.Scalars("~run/epoch")] == list(range(EPOCHS))
    for tag in ("~hparams/test_acc", "~hparams/best_val_loss"):
        assert len(steps(events, tag)) == 1, tag


def test_step_level_values_come_several_times_an_epoch(events) -> None:
    assert len(steps(events, "train/loss_step")) >= 4 * EPOCHS


def test_the_interval_gives_about_five_points_an_epoch_and_at_most_every_50_steps() -> None:
    assert [interval_for(batches) for batches in (1, 4, 12, 100, 600)] == [1, 1, 2, 20, 50]


def test_hparams_columns_are_the_monitored_metric_at_its_best_and_the_test_accuracy(events):
    content = events.PluginTagToContent("hparams")
    experiment = plugin_data_pb2.HParamsPluginData.FromString(
        content["_hparams_/experiment"]
    ).experiment
    metrics = [(info.name.tag, info.display_name) for info in experiment.metric_infos]
    assert metrics == [
        ("~hparams/best_val_acc", "best_val_acc"),
        ("~hparams/test_acc", "test/acc"),
    ]
    hparams = [(info.name, info.differs) for info in experiment.hparam_infos]
    assert hparams == [("seed", True), ("status", False)]  # a run alone: nothing swept
    start = plugin_data_pb2.HParamsPluginData.FromString(
        content["_hparams_/session_start_info"]
    ).session_start_info
    assert start.hparams["activation"].string_value == "prelu"  # kept, not a column
    assert start.group_name == "run"  # the Trial ID: the run's folder


def test_the_progress_bar_shows_no_version_fragment(tmp_path: Path) -> None:
    logger = TensorBoardLogger(str(tmp_path), name="", version="prelu,seed=1")
    trainer = L.Trainer(logger=logger, enable_progress_bar=False, enable_model_summary=False)
    bar = ProgressBar()
    bar.values = {"val/loss": 0.5}
    shown = bar.get_metrics(trainer, L.LightningModule())
    assert "v_num" not in shown and shown["val/loss"] == 0.5
