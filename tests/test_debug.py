"""The debug group: each mode as a user of the Lightning-Hydra template expects it, its runs kept
apart from real ones (logs/debugs/) and out of reports."""

import json
from pathlib import Path

import pytest
from helpers import TINY_MODEL
from omegaconf import OmegaConf

from actlab.config import CONFIG_DIR
from actlab.report.write import write_report
from actlab.run.recipe import run

MLP = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], "callbacks.progress_bar=null"]


def record_of(compose_run, tmp_path: Path, *overrides: str) -> dict:
    run(compose_run(*MLP, *overrides))
    return json.loads((tmp_path / "run" / "metrics.json").read_text())


@pytest.mark.parametrize("mode", sorted(path.stem for path in (CONFIG_DIR / "debug").glob("*")))
def test_every_mode_trains_on_the_cpu_in_one_process_and_logs_under_debugs(
    compose_run, tmp_path: Path, mode: str
) -> None:
    cfg = compose_run(f"debug={mode}")
    assert (cfg.trainer.accelerator, cfg.trainer.devices) == ("cpu", 1)
    assert cfg.trainer.detect_anomaly
    assert cfg.paths.log_dir == f"{tmp_path}/logs/debugs"
    assert OmegaConf.select(cfg, "hydra.verbose") == ["actlab", "__main__"]


def test_fdr_runs_one_batch_of_each_split(compose_run, tmp_path: Path) -> None:
    record = record_of(compose_run, tmp_path, "debug=fdr")
    assert record["status"] == "ok" and len(record["history"]) == 1
    assert record["hparams"]["debug"] == "fdr"


@pytest.mark.slow  # trains until the loss is near zero
def test_overfit_drives_the_training_loss_of_a_few_batches_towards_zero(
    compose_run, tmp_path: Path
) -> None:
    record = record_of(compose_run, tmp_path, "debug=overfit", "model.hidden=[256,128]")
    losses = [epoch["train/loss"] for epoch in record["history"]]
    assert len(losses) == 50
    assert losses[-1] < 0.05 < 0.3 < losses[0]


def test_limit_runs_three_short_epochs(compose_run, tmp_path: Path) -> None:
    record = record_of(compose_run, tmp_path, "debug=limit")
    assert len(record["history"]) == 3 and record["status"] == "ok"


def test_profiler_writes_its_report_into_the_run_folder(compose_run, tmp_path: Path) -> None:
    record_of(compose_run, tmp_path, "debug=profiler")
    report = (tmp_path / "run" / "fit-profile.txt").read_text()
    assert "Profiler Report" in report and "run_training_epoch" in report


def test_a_report_leaves_debug_runs_out(compose_run, tmp_path: Path) -> None:
    record_of(compose_run, tmp_path, "debug=fdr")
    with pytest.raises(FileNotFoundError, match="debug runs left out"):
        write_report([tmp_path], tmp_path / "report")
