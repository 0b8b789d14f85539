"""`hparams_search=optuna`: a TPE search whose objective is each run's best validation metric."""

import json
from pathlib import Path

import pytest
import yaml
from helpers import FAST, TINY_MODEL, run_cli

BREAST_CANCER = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST]


@pytest.mark.slow
def test_a_two_trial_search_runs_and_keeps_the_best_trial(tmp_path: Path) -> None:
    result = run_cli(
        "-m", "hparams_search=optuna", *BREAST_CANCER, "trainer.max_epochs=1",
        "hydra.sweeper.n_trials=2", "hydra.sweep.dir=search", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    records = [json.loads((tmp_path / "search" / j / "metrics.json").read_text()) for j in "01"]
    assert all(record["status"] == "ok" for record in records)
    results = yaml.safe_load((tmp_path / "search" / "optimization_results.yaml").read_text())
    best = max(records, key=lambda record: record["best"]["val/acc"])
    assert results["best_value"] == best["best"]["val/acc"]  # maximised, as monitor.mode says
    assert results["best_params"]["activation"] == best["hparams"]["activation"]
    assert results["best_params"]["optimizer.lr"] == best["hparams"]["optimizer.lr"]


def test_the_search_direction_follows_the_monitored_metric(compose_run) -> None:
    assert compose_run("hparams_search=optuna").hydra.sweeper.direction == "maximize"
    minimise = compose_run("hparams_search=optuna", "monitor.metric=val/loss", "monitor.mode=min")
    assert minimise.hydra.sweeper.direction == "minimize"
