"""Stacked sweeps (`stack.size`): a sweep's jobs trained K in one model, each still its own run,
trained as its solo run trains."""

import ast
import json
import logging
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import torch
from helpers import FAST, TINY_MODEL, run_cli, run_in_process
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from actlab.cli import plot_activations
from actlab.cli import train as train_cli
from actlab.config import CONFIG_DIR
from actlab.report.runs import event_folder, load_runs
from actlab.storage.checkpoints import load_checkpoint
from actlab.sweep.stacking import STACKABLE, check_stack, plan_stacks
from actlab.utils.errors import ConfigError

BREAST_CANCER = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST]
STACKED = ["hydra/sweeper=stacking"]


def job_config(*overrides: str) -> DictConfig:
    """The config of a sweep's job with `overrides`, as composed for it."""
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose("train", overrides=list(overrides))


def sweep_records(root: Path) -> list[dict]:
    """metrics.json of every job of the one sweep under `root/logs/multiruns`, in job order."""
    (sweep,) = (root / "logs" / "multiruns").iterdir()
    jobs = sorted((job for job in sweep.iterdir() if job.name.isdigit()), key=lambda j: int(j.name))
    return [json.loads((job / "metrics.json").read_text()) | {"dir": job} for job in jobs]


def assert_solo_curves(member: Path, alone: Path) -> None:
    """The member's TensorBoard run is where its solo run's is (named by what varies), with the
    solo run's curves: every point at its solo run's step, with its value."""
    assert event_folder(member).relative_to(member) == event_folder(alone).relative_to(alone)
    events, solo_events = (EventAccumulator(str(event_folder(r))).Reload() for r in (member, alone))
    tags = events.Tags()["scalars"]
    assert sorted(tags) == sorted(solo_events.Tags()["scalars"])
    assert any("/lr-" in tag for tag in tags)  # its learning rates too (~run/lr-...)
    for tag in tags:
        points, solo_points = events.Scalars(tag), solo_events.Scalars(tag)
        assert [p.step for p in points] == [p.step for p in solo_points], tag
        values = [p.value for p in points]
        assert values == pytest.approx([p.value for p in solo_points], rel=1e-4), tag


def test_jobs_that_differ_in_stackable_values_share_stacks_of_at_most_the_size() -> None:
    configs = [
        job_config(f"activation={activation}", f"seed={seed}", f"optimizer.lr={lr}")
        for activation, seed, lr in [("relu", 0, 1e-3), ("gelu", 1, 1e-2), ("arelu", 2, 1e-3)] * 3
    ]
    assert plan_stacks(configs, 4, STACKABLE) == [[0, 1, 2, 3], [4, 5, 6, 7], [8]]
    assert plan_stacks(configs, 1, STACKABLE) == [[index] for index in range(9)]


def test_jobs_that_differ_in_more_stack_apart_and_the_log_says_in_what(caplog) -> None:
    configs = [
        job_config(f"model.hidden=[{width}]", f"seed={seed}")
        for width in (8, 16)
        for seed in (0, 1)
    ]
    with caplog.at_level(logging.INFO):
        assert plan_stacks(configs, 8, STACKABLE) == [[0, 1], [2, 3]]
    (line,) = [r.getMessage() for r in caplog.records if "stack apart" in r.getMessage()]
    assert line.startswith("Stacking: job 2 and job 0 stack apart: they differ in model.hidden")
    # Asked to stack only seeds, activations are kept apart too.
    configs = [job_config(f"activation={a}") for a in ("relu", "gelu")]
    assert plan_stacks(configs, 8, ["seed"]) == [[0], [1]]


def test_a_run_that_cannot_be_a_member_trains_alone_and_the_log_says_why(caplog) -> None:
    configs = [job_config("seed=0"), job_config("seed=1", "compile=true"), job_config("seed=2")]
    with caplog.at_level(logging.INFO):
        assert plan_stacks(configs, 8, STACKABLE) == [[0, 2], [1]]
    assert "Stacking: job 1 trains alone: compile is on" in caplog.text
    early = job_config("seed=3", "callbacks=diagnostics")
    with caplog.at_level(logging.INFO):
        assert plan_stacks([configs[0], early], 8, STACKABLE) == [[0], [1]]
    assert "is not kept per member" in caplog.text


@pytest.mark.parametrize("size", [0, -2, 2.5, "4", True])
def test_a_stack_size_that_is_not_a_whole_number_of_at_least_one_is_refused(size) -> None:
    stack = job_config().stack
    stack.size = size
    with pytest.raises(
        ConfigError, match=rf"stack.size={size!r} is not a whole number of at least 1"
    ):
        check_stack(stack)


def test_a_fuse_setting_that_is_not_one_of_the_choices_is_refused_with_them() -> None:
    stack = job_config("stack.fuse=yes").stack
    with pytest.raises(ConfigError, match=r"stack.fuse='yes' is not one of auto \(on a GPU\)"):
        check_stack(stack)


def test_a_key_that_cannot_vary_within_a_stack_is_refused_with_the_keys_that_can() -> None:
    stack = job_config("stack.over=[seed,model]").stack
    with pytest.raises(ConfigError) as refused:
        check_stack(stack)
    assert str(refused.value).startswith("stack.over: 'model' cannot vary within a stack")
    assert "seed, activation, init, optimizer.lr, optimizer.weight_decay" in str(refused.value)


def test_a_bad_stack_size_fails_the_sweep_before_anything_trains(tmp_path: Path) -> None:
    result = run_in_process(
        train_cli.main, "-m", *BREAST_CANCER, "seed=0,1", "stack.size=0", cwd=tmp_path
    )
    assert result.returncode == 1
    assert "stack.size=0 is not a whole number of at least 1" in result.stderr
    assert not list(tmp_path.glob("logs/multiruns/*/*/metrics.json"))


def test_stacks_without_the_stacking_sweeper_are_refused_by_name_before_anything_trains(
    tmp_path: Path,
) -> None:
    result = run_in_process(
        train_cli.main, "-m", *BREAST_CANCER, "seed=0,1", "stack.size=2", cwd=tmp_path
    )
    assert result.returncode == 1
    assert (
        "stack.size=2 trains a grid sweep's jobs in stacks, which the stacking sweeper does: add "
        "hydra/sweeper=stacking (this sweep's sweeper is basic)" in result.stderr
    )
    assert not list(tmp_path.glob("logs/multiruns/*/*/metrics.json"))


MACHINERY = {
    "actlab.run.stack",
    "actlab.callbacks.members",
    "actlab.training.stacked",
    "actlab.data.stacked",
}
"""What trains a stack (Hydra imports every plugin's module, the stacking sweeper's too, when it
looks for plugins)."""


def test_stacking_is_off_the_default_path_and_on_hydras_public_parts_only() -> None:
    """Hydra's basic sweeper is every sweep's unless one asks for stacks; no module of src/
    imports Hydra's internals."""
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        sweeper = compose("train", return_hydra_config=True).hydra.sweeper
    assert sweeper._target_ == "hydra._internal.core_plugins.basic_sweeper.BasicSweeper"
    src = Path(__file__).parents[1] / "src"
    for module in src.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.startswith("hydra._internal") for n in names), module


@pytest.mark.slow
def test_a_solo_run_imports_none_of_the_stacking_machinery(tmp_path: Path) -> None:
    solo = (
        "import sys; from actlab.cli.train import main; "
        f"sys.argv = ['train.py', *{[*BREAST_CANCER, 'trainer.max_epochs=1']!r}]; main(); "
        f"print(sorted(m for m in sys.modules if m in {MACHINERY!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", solo], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


@pytest.mark.slow  # two whole sweeps
def test_each_member_trains_as_its_solo_run_and_is_recorded_as_one(tmp_path: Path) -> None:
    """No dropout: every member's per-epoch losses are its solo run's (1e-4 relative) over 4
    epochs, with the same test accuracy; the records differ only by `stacked`."""
    sweep = [
        "-m",
        *BREAST_CANCER,
        "trainer.max_epochs=4",
        "activation=relu,arelu",
        "seed=0,1",
    ]
    for name, extra in (("solo", []), ("stacked", [*STACKED, "stack.size=2"])):
        (tmp_path / name).mkdir()
        result = run_in_process(train_cli.main, *sweep, *extra, cwd=tmp_path / name)
        assert result.returncode == 0, result.stderr
    solo, stacked = sweep_records(tmp_path / "solo"), sweep_records(tmp_path / "stacked")
    assert len(stacked) == 4
    for alone, member in zip(solo, stacked, strict=True):
        assert member["status"] == alone["status"] == "ok"
        assert len(member["history"]) == len(alone["history"]) == 4
        for row, solo_row in zip(member["history"], alone["history"], strict=True):
            for name in ("train/loss", "val/loss", "val/acc"):
                assert row[name] == pytest.approx(solo_row[name], rel=1e-4), (member["dir"], name)
        assert member["test"]["test/acc"] == alone["test"]["test/acc"]
        assert member["best_epoch"] == alone["best_epoch"]
        assert Path(member["stacked"]["stack"]).parent.name == "stacks" and "stacked" not in alone
        different = {key for key in alone if alone[key] != member[key]}
        assert different <= {"history", "best", "final", "test", "wall_time_s", "dir"}
        assert member["hparams"] == alone["hparams"]  # stack.size is not what tells runs apart
        assert_solo_curves(member["dir"], alone["dir"])
        # Its checkpoints are a solo run's: the same keys, weights of its own.
        best = load_checkpoint(next((member["dir"] / "checkpoints").glob("epoch_*.ckpt")))
        solo_best = load_checkpoint(next((alone["dir"] / "checkpoints").glob("epoch_*.ckpt")))
        assert set(best) == set(solo_best)
        assert best["callbacks"].keys() == solo_best["callbacks"].keys()  # resumable as solo
        for key, state in solo_best["callbacks"].items():
            assert best["callbacks"][key].keys() == state.keys(), key
        for name, weights in solo_best["state_dict"].items():
            torch.testing.assert_close(best["state_dict"][name], weights, rtol=1e-4, atol=1e-6)
    # The report tells them apart by its `stacked` column alone (and the times they took).
    solo_runs, stacked_runs = (load_runs([runs[0]["dir"].parent])[0] for runs in (solo, stacked))
    assert solo_runs["stacked"].isna().all()
    assert set(stacked_runs["stacked"]) == {"stacks/0", "stacks/1"}
    # Its time is its stack's, which says how many members shared it.
    assert sorted(stacked_runs["stack_members"]) == [2, 2, 2, 2]
    assert solo_runs["stack_members"].isna().all()
    assert list(stacked_runs.columns) == list(solo_runs.columns)
    numbers = [c for c in solo_runs if c.startswith(("best_", "last_", "test/")) or "area" in c]
    costs = ["stacked", "stack_members", "wall_time_s", "epoch_time_s"]
    kept = solo_runs.columns.difference([*numbers, *costs, "sweep"])
    pd.testing.assert_frame_equal(stacked_runs[kept], solo_runs[kept])
    pd.testing.assert_frame_equal(stacked_runs[numbers], solo_runs[numbers], rtol=1e-4)


@pytest.mark.slow
def test_a_member_leaves_what_its_solo_run_leaves_and_its_jobs_callbacks_fire(
    tmp_path: Path,
) -> None:
    """With `callbacks=none`, Lightning's default checkpoint where the solo run leaves it; the
    user's `hydra.callbacks` told of each member's job as of a solo job's (its end once it is
    trained, with its best value); the training's log in each member's own folder."""
    sweep = ["-m", "data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], "callbacks=none"]
    sweep += ["trainer.accelerator=cpu", "trainer.max_epochs=1", "seed=0,1"]
    sweep += ["+hydra.callbacks.probe._target_=job_probe.JobProbe"]
    for name, extra in (("solo", []), ("stacked", [*STACKED, "stack.size=2"])):
        (tmp_path / name).mkdir()
        result = run_in_process(train_cli.main, *sweep, *extra, cwd=tmp_path / name)
        assert result.returncode == 0, result.stderr
    for alone, member in zip(
        sweep_records(tmp_path / "solo"), sweep_records(tmp_path / "stacked"), strict=True
    ):
        left = sorted(p.relative_to(alone["dir"]) for p in alone["dir"].rglob("*.ckpt"))
        assert left == sorted(p.relative_to(member["dir"]) for p in member["dir"].rglob("*.ckpt"))
        assert left and member["test"] == alone["test"]
        probes = [(r["dir"] / "job_probe.jsonl").read_text().splitlines() for r in (alone, member)]
        assert probes[0] == probes[1]
        start, end = (json.loads(line) for line in probes[1])
        assert start == {"hook": "on_job_start"}
        assert end == {"hook": "on_job_end", "value": member["best"]["val/acc"], "status": "ok"}
        assert "Fast path on cpu" in (member["dir"] / "train.log").read_text()


@pytest.mark.slow
def test_each_member_keeps_its_own_schedule_and_gradient_clipping(tmp_path: Path) -> None:
    """Members that differ in learning rate, under one-cycle schedules and clipping of their
    gradients' norm at 0.01 (which bites): each as its solo run, not clipped by the stack's norm."""
    sweep = ["-m", *BREAST_CANCER, "scheduler=onecycle", "regularization=grad_clip_norm"]
    sweep += ["trainer.gradient_clip_val=0.01", "optimizer.lr=0.001,0.01", "activation=relu,elu"]
    for name, extra in (("solo", []), ("stacked", [*STACKED, "stack.size=4"])):
        (tmp_path / name).mkdir()
        result = run_in_process(train_cli.main, *sweep, *extra, cwd=tmp_path / name)
        assert result.returncode == 0, result.stderr
    for alone, member in zip(
        sweep_records(tmp_path / "solo"), sweep_records(tmp_path / "stacked"), strict=True
    ):
        for row, solo_row in zip(member["history"], alone["history"], strict=True):
            assert row["train/loss"] == pytest.approx(solo_row["train/loss"], rel=1e-4)
            assert row["val/loss"] == pytest.approx(solo_row["val/loss"], rel=1e-4)
        assert_solo_curves(member["dir"], alone["dir"])  # its learning rates at every step too


@pytest.mark.slow
def test_a_member_starts_from_the_weights_its_solo_run_starts_from(tmp_path: Path) -> None:
    """At a learning rate of 1e-30 no weight moves (the steps are far below float32's resolution
    of weights of their size): the weights saved after an epoch are the initial ones."""
    sweep = ["-m", *BREAST_CANCER, "trainer.max_epochs=1", "optimizer.lr=1e-30"]
    sweep += ["activation=relu,arelu", "seed=3,4"]
    for name, extra in (("solo", []), ("stacked", [*STACKED, "stack.size=4"])):
        (tmp_path / name).mkdir()
        assert run_in_process(train_cli.main, *sweep, *extra, cwd=tmp_path / name).returncode == 0
    solo, stacked = sweep_records(tmp_path / "solo"), sweep_records(tmp_path / "stacked")
    initial = []
    for alone, member in zip(solo, stacked, strict=True):
        weights = load_checkpoint(member["dir"] / "checkpoints" / "last.ckpt")["state_dict"]
        solo_weights = load_checkpoint(alone["dir"] / "checkpoints" / "last.ckpt")["state_dict"]
        assert weights.keys() == solo_weights.keys()
        for name in weights:
            if name.endswith("weight"):
                assert torch.equal(weights[name], solo_weights[name]), name
        initial.append(next(v for k, v in weights.items() if k.endswith("weight")))
    assert not torch.equal(initial[0], initial[1])  # seeds 3 and 4: their own weights


def test_a_member_that_stops_early_leaves_the_stack_tested_and_the_others_train_on(
    tmp_path: Path,
) -> None:
    sweep = ["-m", *BREAST_CANCER, "callbacks=[default,early_stopping]", "trainer.max_epochs=6"]
    sweep += ["monitor.metric=val/loss", "monitor.mode=min", "callbacks.early_stopping.patience=1"]
    sweep += ["optimizer.lr=1e-9,0.01", *STACKED, "stack.size=2"]
    # The first member's loss never falls.
    result = run_in_process(train_cli.main, *sweep, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    still, learning = sweep_records(tmp_path)
    assert still["stopped_early"]["epoch"] == 1 and len(still["history"]) == 2
    assert len(learning["history"]) > 2  # it trained on after the other left
    assert still["test"] and learning["test"]  # each tested with its own best weights


RANDOM = {
    "convnet": ["model=convnet", *TINY_MODEL["convnet"]],  # S1's, with its dropout of 0.15
    "mlp_dropout": ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], "model.dropout=0.5"],
    "augmentation": ["model=lenet", *TINY_MODEL["lenet"], "regularization=augmentation"],
}
"""Runs that draw random numbers as they train: dropout, augmentation."""


@pytest.mark.slow
@pytest.mark.parametrize("run", RANDOM)
def test_with_dropout_or_augmentation_each_member_is_its_solo_run(
    run: str, tmp_path: Path, data_dir: Path
) -> None:
    """Each member draws its dropout masks and augmentation from its own random state, the one
    its solo run draws from: its per-epoch losses and test metrics are its solo run's."""
    sweep = ["-m", *FAST, f"paths.data_dir={data_dir}", *RANDOM[run], "trainer.max_epochs=3"]
    sweep += ["seed=0,1", "activation=relu,tanh"]
    for name, extra in (("solo", []), ("stacked", [*STACKED, "stack.size=4"])):
        (tmp_path / name).mkdir()
        result = run_in_process(train_cli.main, *sweep, *extra, cwd=tmp_path / name)
        assert result.returncode == 0, result.stderr
    solo, stacked = sweep_records(tmp_path / "solo"), sweep_records(tmp_path / "stacked")
    assert [r["stacked"]["members"] for r in stacked] == [4] * 4
    for alone, member in zip(solo, stacked, strict=True):
        assert len(member["history"]) == len(alone["history"]) == 3
        for row, solo_row in zip(member["history"], alone["history"], strict=True):
            for name in ("train/loss", "val/loss", "val/acc"):
                assert row[name] == pytest.approx(solo_row[name], rel=1e-6), (run, name)
        assert member["test"] == pytest.approx(alone["test"], rel=1e-6)
    # Not alike by chance: the seeds' draws differ.
    assert solo[0]["history"][-1]["train/loss"] != solo[2]["history"][-1]["train/loss"]


@pytest.mark.slow
def test_a_diverging_member_is_recorded_at_its_step_and_the_others_go_on(tmp_path: Path) -> None:
    result = run_cli(
        "-m", *BREAST_CANCER, "optimizer=sgd", "optimizer.lr=0.01,1e6", *STACKED, "stack.size=2",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    stable, diverged = sweep_records(tmp_path)
    assert stable["status"] == "ok" and stable["test"]["test/acc"] > 0.5
    assert len(stable["history"]) == 2
    assert diverged["status"] == "diverged" and diverged["test"] == {}
    assert diverged["reason"].startswith("training loss became nan at step")
    assert diverged["diverged"]["step"] > 0 and math.isfinite(
        diverged["diverged"]["last_finite_loss"]
    )
    assert "stacked" in stable and "stacked" in diverged
    assert "Run diverged" in (diverged["dir"] / "train.log").read_text()  # its own log says so


@pytest.mark.slow
def test_a_failing_member_is_recorded_and_named_and_costs_the_others_nothing(
    tmp_path: Path,
) -> None:
    result = run_cli(
        "-m", *BREAST_CANCER, "model.dropout=1.5,0.1,0.2", *STACKED, "stack.size=3", cwd=tmp_path
    )
    assert result.returncode == 1
    failed, *finished = sweep_records(tmp_path)
    assert failed["status"] == "failed"
    assert (
        failed["reason"]
        == "ConfigError: model.dropout=1.5 is not allowed: it must be a number in [0, 1)"
    )
    assert [r["status"] for r in finished] == ["ok", "ok"]
    assert "1 of 3 jobs failed" in result.stderr and "job 0 [" in result.stderr


@pytest.mark.slow
def test_stacks_train_in_the_joblib_launchers_processes(tmp_path: Path) -> None:
    result = run_cli(
        "-m", *BREAST_CANCER, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2",
        "seed=0,1,2,3", *STACKED, "stack.size=2", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    records = sweep_records(tmp_path)
    assert [r["status"] for r in records] == ["ok"] * 4
    assert [Path(r["stacked"]["stack"]).name for r in records] == ["0", "0", "1", "1"]
    assert [r["hparams"]["seed"] for r in records] == [0, 1, 2, 3]


@pytest.mark.slow
def test_eval_reproduces_a_members_test_metrics_from_its_checkpoint(tmp_path: Path) -> None:
    result = run_cli(
        "-m", *BREAST_CANCER, "activation=prelu", "seed=0,1", *STACKED, "stack.size=2", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    member = sweep_records(tmp_path)[1]
    (best,) = (member["dir"] / "checkpoints").glob("epoch_*.ckpt")
    result = run_cli(f"ckpt_path={best}", "hydra.run.dir=eval", cwd=tmp_path, script="eval.py")
    assert result.returncode == 0, result.stderr
    evaluated = json.loads((tmp_path / "eval" / "eval.json").read_text())["test"]
    for name, value in member["test"].items():
        assert evaluated[name] == pytest.approx(value, abs=1e-6), name
    # plot-activations draws its learned PReLU sites, as from a solo run's checkpoint.
    weights = load_checkpoint(best)["state_dict"]
    panels = plot_activations.checkpoint_panels(best)
    assert sorted(panels) == ["act1", "act2"]  # the MLP's two PReLUs
    for site, ((_, learned), _) in panels.items():
        torch.testing.assert_close(learned.weight, weights[f"model.{site}.weight"])
    plot_activations.main(["--ckpt", str(best), "--out", str(tmp_path / "sites.png")])
    assert (tmp_path / "sites.png").stat().st_size > 0


@pytest.mark.slow
def test_a_killed_stacked_sweep_resumes_every_member_from_its_own_checkpoint(
    tmp_path: Path,
) -> None:
    from test_resume import EPOCHS, SLOW, kill_when

    sweep = ["-m", *SLOW, "seed=1,2,3", *STACKED, "stack.size=3"]
    kill_when(
        tmp_path,
        sweep,
        lambda: len(list(tmp_path.glob("logs/multiruns/*/*/checkpoints/epoch_*.ckpt"))) >= 3,
    )
    killed = sweep_records(tmp_path)
    assert {r["status"] for r in killed} == {"running"}
    result = run_cli(*sweep, "resume=true", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (tmp_path / "uninterrupted").mkdir()
    assert run_cli(*sweep, cwd=tmp_path / "uninterrupted").returncode == 0
    uninterrupted = sweep_records(tmp_path / "uninterrupted")
    resumed = sweep_records(tmp_path)
    for before, record, whole in zip(killed, resumed, uninterrupted, strict=True):
        assert record["status"] == "ok"
        # Nothing lost: it ends where the run that was never stopped ends.
        assert record["test"] == pytest.approx(whole["test"], rel=1e-5)
        assert [row["epoch"] for row in record["history"]] == list(range(EPOCHS))
        (continued,) = record["continued"]
        assert continued["epoch"] >= 1 and continued["after"] == "running"
        # The epochs before the one it continued from are the killed attempt's, as they were.
        kept = [row for row in before["history"] if row["epoch"] < continued["epoch"]]
        assert record["history"][: len(kept)] == kept


@pytest.mark.slow
def test_with_placement_each_stack_holds_one_gpu_slot(tmp_path: Path) -> None:
    result = run_cli(
        "-m", "placement=gpus", "placement.devices=[0,1]", *BREAST_CANCER, "seed=1,2,3,4",
        *STACKED, "stack.size=2", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    records = sweep_records(tmp_path)
    assert [r["status"] for r in records] == ["ok"] * 4
    (sweep,) = (tmp_path / "logs" / "multiruns").iterdir()
    logs = [(sweep / "stacks" / stack / "train.log").read_text() for stack in ("0", "1")]
    for log in logs:  # each stack held one slot (of GPU 0 or 1) while it trained
        assert sum(f"On GPU {gpu} (slot 1 of 1)" in log for gpu in (0, 1)) == 1
