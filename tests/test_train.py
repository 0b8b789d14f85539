"""Short Hydra-composed runs, as `python train.py` makes them, on each dataset."""

import json
import logging
from pathlib import Path

import pytest
import torch
from helpers import DATASETS, FAST, TINY_MODEL, option_file, tiny_data
from hydra.utils import get_object
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2

from actlab.models.compatibility import ModelDoesNotFitData
from actlab.run.recipe import run


def tiny_model(dataset: str) -> list[str]:
    """A tiny model for the data option `dataset`: an MLP for a table, a LeNet for images."""
    target = option_file("data", dataset)._target_
    model = "mlp" if len(get_object(target).input_shape) == 1 else "lenet"
    return [f"model={model}", *TINY_MODEL[model]]


@pytest.fixture
def finished_run(request, compose_run, tmp_path: Path) -> dict:
    """One short run of `data=<param>` on tiny files in its format; its metrics.json, with the run
    directory under `dir`."""
    dataset = request.param
    cfg = compose_run(
        f"data={dataset}",
        *tiny_data(dataset, tmp_path / "data"),
        *tiny_model(dataset),
        *FAST,
        "activation=gelu",
        "trainer.log_every_n_steps=4",
    )
    objective = run(cfg)
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    return {**record, "dir": tmp_path / "run", "objective": objective}


@pytest.mark.parametrize("finished_run", DATASETS, indirect=True)
def test_a_run_records_its_metrics_in_metrics_json(finished_run: dict) -> None:
    assert finished_run["status"] == "ok"
    assert finished_run["reason"] is None
    assert [entry["epoch"] for entry in finished_run["history"]] == [0, 1]
    assert finished_run["best_epoch"] in (0, 1)
    best = finished_run["history"][finished_run["best_epoch"]]
    assert (
        finished_run["best"]["val/acc"]
        == best["val/acc"]
        == max(entry["val/acc"] for entry in finished_run["history"])
    )
    assert finished_run["objective"] == finished_run["best"]["val/acc"]
    assert finished_run["final"]["val/loss"] == finished_run["history"][-1]["val/loss"]
    expected = {"acc", "precision", "recall", "f1", "loss"}
    assert set(finished_run["test"]) == {f"test/{name}" for name in expected}
    assert finished_run["num_params"] > 0
    assert finished_run["validation"] == "split"
    assert finished_run["activation_params"] == 0  # GELU learns nothing
    assert finished_run["peak_gpu_memory_mib"] is None  # on the CPU
    assert finished_run["tested"] == {"weights": "best", "epoch": finished_run["best_epoch"]}
    assert finished_run["wall_time_s"] > 0
    assert finished_run["hparams"]["activation"] == "gelu"


def test_a_run_says_which_weights_it_tested_and_how_many_parameters_its_activations_add(
    compose_run, tmp_path: Path
) -> None:
    cfg = compose_run(
        "data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST, "activation=prelu",
        "test_weights=last",
    )  # fmt: skip
    run(cfg)
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["tested"] == {"weights": "last", "epoch": 1}
    assert record["activation_params"] == 2  # a slope at each of the MLP's two hidden layers


@pytest.mark.parametrize("finished_run", ["mnist"], indirect=True)
def test_a_run_saves_the_best_and_the_last_checkpoint(finished_run: dict) -> None:
    names = {path.name for path in (finished_run["dir"] / "checkpoints").iterdir()}
    assert names == {"last.ckpt", f"epoch_{finished_run['best_epoch']:03d}.ckpt"}


@pytest.mark.parametrize("finished_run", ["breast_cancer"], indirect=True)
def test_tensorboard_reads_per_epoch_validation_curves(finished_run: dict) -> None:
    events = EventAccumulator(str(finished_run["dir"] / "tensorboard")).Reload()
    for tag in ("val/loss", "val/acc", "val/f1", "train/loss"):
        values = [event.value for event in events.Scalars(tag)]
        assert values == pytest.approx([e[tag] for e in finished_run["history"]], rel=1e-6)
    assert "train/loss_step" in events.Tags()["scalars"]


@pytest.mark.parametrize("finished_run", ["breast_cancer"], indirect=True)
def test_tensorboard_shows_the_curves_first_and_the_bookkeeping_last(finished_run) -> None:
    tags = EventAccumulator(str(finished_run["dir"] / "tensorboard")).Reload().Tags()["scalars"]
    groups = list(dict.fromkeys(tag.split("/")[0] for tag in sorted(tags)))
    assert groups == ["train", "val", "~hparams", "~run"]  # TensorBoard opens the first two
    assert {"~run/epoch", "~run/lr-Adam/weights", "~hparams/test_acc"} <= set(tags)


@pytest.mark.parametrize("finished_run", ["breast_cancer"], indirect=True)
def test_tensorboard_hparams_hold_the_chosen_options_and_final_metrics(finished_run) -> None:
    events = EventAccumulator(str(finished_run["dir"] / "tensorboard")).Reload()
    content = events.PluginTagToContent("hparams")
    session = plugin_data_pb2.HParamsPluginData.FromString(
        content["_hparams_/session_start_info"]
    ).session_start_info
    assert session.hparams["activation"].string_value == "gelu"
    assert session.hparams["model"].string_value == "mlp"
    assert session.hparams["status"].string_value == "ok"
    experiment = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/experiment"])
    metric_tags = [info.name.tag for info in experiment.experiment.metric_infos]
    assert metric_tags == ["~hparams/best_val_acc", "~hparams/test_acc"]
    (test_acc,) = [event.value for event in events.Scalars("~hparams/test_acc")]
    assert test_acc == pytest.approx(finished_run["test"]["test/acc"])


def test_a_failure_before_training_is_recorded_and_raised(compose_run, tmp_path: Path) -> None:
    cfg = compose_run("data=mnist", *FAST)  # no MNIST files in this data dir
    with pytest.raises(FileNotFoundError, match="MNIST not found"):
        run(cfg)
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["status"] == "failed"
    assert record["reason"].startswith("DataNotFoundError: MNIST not found")


def test_a_scheduler_from_its_group_drives_the_learning_rate(compose_run, tmp_path) -> None:
    cfg = compose_run(
        "data=breast_cancer", "model=mlp", *FAST,
        "optimizer=sgd", "optimizer.lr=0.1", "scheduler=step", "scheduler.scheduler.step_size=1",
        "trainer.log_every_n_steps=4",
    )  # fmt: skip
    run(cfg)
    events = EventAccumulator(str(tmp_path / "run" / "tensorboard")).Reload()
    rates = {round(event.value, 6) for event in events.Scalars("~run/lr-SGD/weights")}
    assert rates == {0.1, 0.01}  # step.yaml: gamma 0.1


def test_a_short_run_on_cifar10_pickle_batches(compose_run, cifar_dir: Path, tmp_path) -> None:
    cfg = compose_run(
        "data=cifar10", "data.batch_size=16", "model=resnet", *TINY_MODEL["resnet"], *FAST
    )
    run(cfg)
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["status"] == "ok"
    assert len(record["history"]) == 2
    assert set(record["test"]) >= {"test/acc", "test/f1"}


def test_an_image_model_on_tabular_data_fails_before_training(compose_run, tmp_path) -> None:
    cfg = compose_run("model=resnet", "data=breast_cancer", *FAST)
    with pytest.raises(ModelDoesNotFitData) as error:
        run(cfg)
    assert str(error.value) == (
        "model=resnet takes 3-dimensional inputs (C x H x W images), but data=breast_cancer "
        "gives inputs of shape (30,). Models that fit data=breast_cancer: mlp"
    )
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["status"] == "failed" and record["history"] == []
    assert not (tmp_path / "run" / "checkpoints").exists()


@pytest.mark.slow  # compiles the model: seconds of torch.compile
def test_the_fast_path_switches_run_on_cpu_and_say_so(compose_run, tmp_path, caplog) -> None:
    cfg = compose_run(
        "data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST,
        "channels_last=true", "compile=max-autotune-no-cudagraphs",
    )  # fmt: skip
    assert cfg.data.drop_last  # one shape for every batch of a compiled model
    with caplog.at_level(logging.INFO, logger="actlab.callbacks.fast_path"):
        run(cfg)
    assert (
        "Fast path on cpu: precision 32-true, channels_last skipped on cpu (oneDNN#6035), "
        "compile max-autotune-no-cudagraphs, cudnn.benchmark unused on cpu"
    ) in caplog.text
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["status"] == "ok" and record["test"]["test/acc"] > 0.5
    steps_per_epoch = 364 // 32  # the last 12 of 364 left out
    assert record["history"][-1]["epoch"] == 1
    checkpoint = torch.load(tmp_path / "run" / "checkpoints" / "last.ckpt", weights_only=True)
    assert checkpoint["global_step"] == 2 * steps_per_epoch
