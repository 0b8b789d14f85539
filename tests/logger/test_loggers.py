"""Every logger option, offline: each gets the run's hyper-parameters, tags and per-epoch scalars;
a logger whose package is missing is refused by name with the pip command."""

import json
from pathlib import Path

import pytest
from helpers import FAST, TINY_MODEL
from lightning_utilities.core.imports import RequirementCache

from actlab.report.runs import load_runs
from actlab.run.recipe import run
from actlab.utils.errors import ConfigError

MLP = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST, "tags=[baseline,cpu]"]


def test_csv_gets_the_hyper_parameters_and_the_per_epoch_scalars(
    compose_run, tmp_path: Path
) -> None:
    run(compose_run(*MLP, "logger=csv"))
    folder = tmp_path / "run" / "csv"
    assert "tags: baseline,cpu" in (folder / "hparams.yaml").read_text()
    header = (folder / "metrics.csv").read_text().splitlines()[0].split(",")
    assert {"epoch", "train/loss", "val/acc", "test/acc", "hparams/best_val_acc"} <= set(header)


def test_without_a_logger_a_run_trains_and_its_record_holds_its_curves(
    compose_run, tmp_path: Path
) -> None:
    """logger=none: no logger files; the learning-rate monitor, which needs one, is left out."""
    run(compose_run(*MLP, "logger=none"))
    folder = tmp_path / "run"
    record = json.loads((folder / "metrics.json").read_text())
    assert record["status"] == "ok" and len(record["history"]) == 2
    assert not (folder / "tensorboard").exists()
    (frame, _) = load_runs([folder.parent])
    assert frame["val_loss_area"].item() == pytest.approx(
        sum(epoch["val/loss"] for epoch in record["history"])
    )


@pytest.mark.slow  # MLflow sets up its SQLite store: about a minute
def test_mlflow_logs_to_a_local_store_under_logs(compose_run, tmp_path: Path) -> None:
    pytest.importorskip("mlflow")
    from mlflow.tracking import MlflowClient

    run(compose_run(*MLP, "logger=mlflow"))
    client = MlflowClient(tracking_uri=f"sqlite:///{tmp_path}/logs/mlflow.db")
    (experiment,) = [e for e in client.search_experiments() if e.name == "actlab"]
    (mlflow_run,) = client.search_runs([experiment.experiment_id])
    assert mlflow_run.data.params["model"] == "mlp" and mlflow_run.data.params["status"] == "ok"
    assert {"baseline", "cpu"} <= set(mlflow_run.data.tags)
    history = client.get_metric_history(mlflow_run.info.run_id, "val/acc")
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert [point.value for point in history] == pytest.approx(
        [epoch["val/acc"] for epoch in record["history"]]
    )


@pytest.mark.slow
def test_wandb_logs_offline_without_an_api_key(
    compose_run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("wandb")
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    monkeypatch.setenv("WANDB_SILENT", "true")
    cfg = compose_run(*MLP, "logger=wandb")
    assert cfg.logger.wandb.offline is True
    run(cfg)
    (offline,) = (tmp_path / "run" / "wandb").glob("offline-run-*")
    assert list(offline.glob("*.wandb"))  # the run's record, for `wandb sync` later
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["status"] == "ok"


def test_many_loggers_are_tensorboard_csv_and_mlflow(compose_run) -> None:
    assert set(compose_run("logger=many_loggers").logger) == {"tensorboard", "csv", "mlflow"}


def test_a_logger_whose_package_is_missing_is_refused_with_the_pip_command(
    compose_run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lightning.pytorch.loggers.mlflow as lightning_mlflow

    monkeypatch.setattr(
        lightning_mlflow, "_MLFLOW_AVAILABLE", RequirementCache("mlflow-not-installed>=1")
    )
    with pytest.raises(ConfigError) as error:
        run(compose_run(*MLP, "logger=mlflow"))
    message = str(error.value)
    assert message.startswith("logger.mlflow: lightning.pytorch.loggers.MLFlowLogger needs a")
    assert message.endswith("pip install -e '.[loggers]' installs it")
