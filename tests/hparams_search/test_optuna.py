"""`hparams_search=optuna`: a TPE search whose objective is each run's best validation metric."""

import json
import subprocess
import sys
from pathlib import Path

import optuna
import pytest
import yaml
from helpers import FAST, TINY_MODEL, run_cli
from optuna.trial import TrialState

BREAST_CANCER = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST]


def test_commands_without_a_search_do_not_import_optuna() -> None:
    """Hydra imports every plugin module as a command starts; ours leave Optuna (0.3 s) unloaded."""
    looks_for_plugins = (
        "import sys; from hydra.core.plugins import Plugins; Plugins.instance();"
        "print(sorted(name for name in ('optuna', 'sqlalchemy') if name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", looks_for_plugins], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


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


@pytest.mark.slow
def test_a_stopped_search_goes_on_from_its_study_with_resume(tmp_path: Path) -> None:
    search = [
        "-m", "hparams_search=optuna", *BREAST_CANCER, "trainer.max_epochs=1",
        "hydra.sweep.dir=search",
    ]  # fmt: skip
    first = run_cli(*search, "hydra.sweeper.n_trials=2", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    storage = f"sqlite:///{tmp_path}/search/optuna.db"
    study = optuna.load_study(study_name="train", storage=storage)
    study.ask()  # a trial under way when the sweep was killed
    again = run_cli(*search, "hydra.sweeper.n_trials=4", "resume=true", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    trials = optuna.load_study(study_name="train", storage=storage).trials
    assert [trial.state for trial in trials] == [
        TrialState.COMPLETE, TrialState.COMPLETE, TrialState.FAIL, TrialState.COMPLETE,
    ]  # fmt: skip
    assert sorted(path.name for path in (tmp_path / "search").glob("[0-9]*")) == ["0", "1", "3"]
    assert trials[3].params not in (trials[0].params, trials[1].params)
    record = json.loads((tmp_path / "search" / "3" / "metrics.json").read_text())
    assert record["status"] == "ok"
    assert record["hparams"]["activation"] == trials[3].params["activation"]
