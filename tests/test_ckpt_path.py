"""`python train.py ckpt_path=<run dir>/checkpoints/last.ckpt`: a run continues from its
checkpoint, in its folder; a checkpoint that is not there, not a checkpoint or of another model
is refused before training, and leaves the run's results as they were."""

import json
from pathlib import Path

import pytest
import torch
from helpers import FAST, TINY_MODEL, run_cli
from test_resume import epochs_logged, restarts_logged
from torch import nn

from actlab.run.resume import ResumePlan
from actlab.storage.folders import checkpoint_run_folder, config_subdir, run_folder
from actlab.utils.errors import CheckpointError

RUN = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST]  # 2 epochs


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of a run of RUN that ended ok."""
    cwd = tmp_path_factory.mktemp("finished")
    assert run_cli(*RUN, cwd=cwd).returncode == 0
    (run_dir,) = (cwd / "logs" / "runs").iterdir()
    return run_dir


@pytest.mark.slow
def test_a_run_trains_on_from_its_last_checkpoint_in_its_folder(tmp_path: Path) -> None:
    assert run_cli(*RUN, cwd=tmp_path).returncode == 0
    (run_dir,) = (tmp_path / "logs" / "runs").iterdir()
    last = run_dir / "checkpoints" / "last.ckpt"
    step = torch.load(last, weights_only=False)["global_step"]
    config = (run_dir / ".hydra" / "config.yaml").read_text()

    result = run_cli(*RUN, f"ckpt_path={last}", "trainer.max_epochs=4", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "logs" / "runs").iterdir()) == [run_dir]
    record = json.loads((run_dir / "metrics.json").read_text())
    assert record["status"] == "ok"
    assert [row["epoch"] for row in record["history"]] == [0, 1, 2, 3]
    steps = epochs_logged(run_dir)
    assert len(steps) == 4 and steps == sorted(set(steps))
    assert restarts_logged(run_dir) == [step]
    # The run's own config stays; the continuing command's is recorded beside it.
    assert (run_dir / ".hydra" / "config.yaml").read_text() == config
    (continued,) = (run_dir / ".hydra" / "continued").iterdir()
    assert "max_epochs: 4" in (continued / "config.yaml").read_text()
    command = json.loads((continued / "provenance.json").read_text())["command"]
    assert f"ckpt_path={last}" in command


def test_a_checkpoint_outside_a_run_folder_starts_a_new_one(tmp_path: Path) -> None:
    (tmp_path / "run" / ".hydra").mkdir(parents=True)
    assert (
        checkpoint_run_folder(str(tmp_path / "run" / "checkpoints" / "a.ckpt")) == tmp_path / "run"
    )
    for loose in (tmp_path / "a.ckpt", tmp_path / "elsewhere" / "checkpoints" / "a.ckpt"):
        assert checkpoint_run_folder(str(loose)) is None
        new_folder, continued = run_folder(tmp_path / "runs", [], False, str(loose))
        assert new_folder.parent == tmp_path / "runs" and not continued
        assert config_subdir(str(new_folder)) == ".hydra"


@pytest.mark.slow
def test_a_checkpoint_that_is_not_there_is_named(finished_run: Path) -> None:
    before = (finished_run / "metrics.json").read_text()
    typo = finished_run / "checkpoints" / "lats.ckpt"
    result = run_cli(*RUN, f"ckpt_path={typo}", cwd=finished_run.parents[2])
    assert result.returncode == 1
    assert f"ckpt_path={typo} is not a file" in result.stderr
    assert (finished_run / "metrics.json").read_text() == before


@pytest.mark.slow
def test_a_checkpoint_of_another_model_is_refused_with_the_run_that_saved_it(
    finished_run: Path,
) -> None:
    before = (finished_run / "metrics.json").read_text()
    config = (finished_run / ".hydra" / "config.yaml").read_text()
    ran_with = (finished_run / "provenance.json").read_text()
    last = finished_run / "checkpoints" / "last.ckpt"
    result = run_cli(*RUN, "model.hidden=[32,8]", f"ckpt_path={last}", cwd=finished_run.parents[2])
    assert result.returncode == 1
    message = result.stderr
    assert f"ckpt_path={last} holds the weights of another model than this config builds" in message
    shapes = "3 of another shape: model.fc1.weight (16x30 there, 32x30 here), model.fc1.bias"
    assert shapes in message
    assert "it was saved by a run of callbacks.model_summary=null" in message
    assert "model.hidden=[16,8] model=mlp" in message  # the run's overrides, not this command's
    # The run's record is as it was: its results, and the config eval.py rebuilds it from.
    assert (finished_run / "metrics.json").read_text() == before
    assert (finished_run / ".hydra" / "config.yaml").read_text() == config
    assert (finished_run / "provenance.json").read_text() == ran_with


@pytest.mark.slow
def test_a_sweep_is_not_continued_from_one_checkpoint(finished_run: Path) -> None:
    last = finished_run / "checkpoints" / "last.ckpt"
    result = run_cli("-m", *RUN, "seed=1,2", f"ckpt_path={last}", cwd=finished_run.parents[2])
    assert result.returncode == 1
    assert f"ckpt_path={last} continues one run, not a sweep" in result.stderr


def test_a_file_that_is_no_checkpoint_is_refused(tmp_path: Path) -> None:
    cut = tmp_path / "cut.ckpt"
    torch.save({"state_dict": nn.Linear(2, 2).state_dict(), "global_step": 3}, cut)
    cut.write_bytes(cut.read_bytes()[:100])  # a copy cut short
    with pytest.raises(CheckpointError, match=f"ckpt_path={cut} could not be read as a checkpoint"):
        ResumePlan(checkpoint=cut).check_fits(nn.Linear(2, 2))

    weights = tmp_path / "weights.pt"
    torch.save(nn.Linear(2, 2).state_dict(), weights)  # weights alone, no Lightning state
    with pytest.raises(
        CheckpointError, match="is not a Lightning checkpoint: it has no state_dict"
    ):
        ResumePlan(checkpoint=weights).check_fits(nn.Linear(2, 2))


def test_missing_and_unexpected_weights_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "other.ckpt"
    saved = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2)).state_dict()
    torch.save({"state_dict": saved, "global_step": 0}, path)
    with pytest.raises(CheckpointError) as refused:
        ResumePlan(checkpoint=path).check_fits(
            nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2))
        )
    assert "2 missing: 2.weight, 2.bias; 2 not in this model: 1.weight, 1.bias" in str(
        refused.value
    )
    assert "saved by a run" not in str(refused.value)  # outside a run folder: no run to name
    fitting = ResumePlan(checkpoint=path)
    fitting.check_fits(nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2)))  # no error: it fits
    assert fitting.saved["global_step"] == 0
