"""Every bad input the tests try, given on the command line: refused before training with its
message alone, no traceback (HYDRA_FULL_ERROR=1 shows it); a bug keeps its traceback."""

from pathlib import Path

import pytest
import torch
from helpers import FAST, REPO, TINY_MODEL, run_in_process
from test_checks import EVERY_GROUP, MESSAGES
from test_safe_checkpoints import Payload
from torch import nn

from actlab.cli import evaluate as eval_cli
from actlab.cli import train as train_cli
from actlab.data.synthetic import write_mnist_files
from actlab.run import recipe

MLP = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST]
LENET = ["data=mnist", "model=lenet", *TINY_MODEL["lenet"], *FAST]

BAD_INPUTS: dict[str, tuple[list[str], str]] = {
    **{f"value {bad}": ([*MLP, *bad.split()], message) for bad, message in MESSAGES.items()},
    **{
        f"unknown {group}": ([f"{group}=nope"], f"Could not find '{group}/nope'")
        for group in EVERY_GROUP
    },
    "unknown key": ([*MLP, "optimizer.lrr=0.1"], "Could not override 'optimizer.lrr'"),
    "unknown precision": ([*MLP, "trainer.precision=bf17"], "Precision 'bf17' is invalid"),
    "unknown accelerator": ([*MLP, "trainer.accelerator=tpuu"], "invalid accelerator name"),
    "no devices": ([*MLP, "trainer.devices=0"], "`Trainer(devices=0)` value is not a valid"),
    "missing data": ([*LENET, "data=cifar10"], "CIFAR-10 not found: looked for"),
    "offline download": ([*LENET, "paths.data_dir=empty"], "and the download failed"),
    "augmenting tables": ([*MLP, "data.augment=true"], "data.augment must be false"),
    "corrupt data": ([*LENET, "paths.data_dir=corrupt"], "MNIST files in"),
    "image model, tabular data": ([*MLP, "model=lenet"], "model=lenet takes 3-dimensional"),
    "experiment for another dataset": (
        ["study=s4_mnist_cnn_activations", "data=breast_cancer", *FAST],
        "Models that fit data=breast_cancer: mlp",
    ),
    "a GPU experiment on a CPU": (
        ["experiment=cifar10_fast", "data=mnist", *TINY_MODEL["resnet"]],
        "experiment=cifar10_fast with trainer=gpu trains with trainer.accelerator=gpu",
    ),
    "unknown compile mode": ([*MLP, "compile=fast"], "compile='fast' is not allowed: it must be"),
    "warm-up longer than the run": (
        [*MLP, "scheduler=warmup_cosine"],
        "warmup_epochs=5 must be at least 1 and less than max_epochs=2",
    ),
    "unknown ResNet depth": (
        ["data=mnist", "model=resnet", "model.depth=20", *TINY_MODEL["resnet"], *FAST],
        "ResNet depth must be one of [18, 34, 50, 101, 152], got 20",
    ),
    "unknown VGG depth": (
        ["data=mnist", "model=vgg", *TINY_MODEL["vgg"], "model.depth=15", *FAST],
        "VGG depth must be one of [11, 13, 16, 19], got 15",
    ),
    "a gate activation that does not import": (
        ["data=mnist", "model=senet", "model.gate_activation=torch.nn.Relu", *FAST],
        "model.gate_activation=torch.nn.Relu is not an activation class to import",
    ),
    "unknown granularity": ([*MLP, "activation=arelu", "activation.granularity=pixel"], "pixel"),
    "a mixture's weights": (
        [*MLP, "activation=fixed_mix", "activation.weights=[1.0]"],
        "a mixture of 3 components (X, Y, Z) needs 3 weights, got [1.0]",
    ),
    "monitor mode": ([*MLP, "monitor.mode=maximum"], "monitor mode must be 'min' or 'max'"),
    "diagnostics interval": (
        [*MLP, "callbacks=diagnostics", "callbacks.diagnostics.every_n_steps=0"],
        "every_n_steps must be a positive integer, got 0",
    ),
    "a _target_ that does not import": (
        [*MLP, "model._target_=actlab.models.nope.Net"],
        "model._target_=actlab.models.nope.Net cannot be imported",
    ),
    "a model config for another class": (
        [*MLP, "model._target_=torch.nn.Flatten"],
        "model: torch.nn.Flatten cannot be built from the config: got an unexpected keyword",
    ),
    "a model config missing a key": (
        [*MLP, "model._target_=torch.nn.Bilinear", "~model.hidden", "~model.dropout"],
        "missing a required argument",
    ),
    "an optimizer argument it does not take": (
        [*MLP, "+optimizer.nesterovv=true"],
        "got an unexpected keyword argument 'nesterovv'",
    ),
    "an activation argument it does not take": (
        [*MLP, "+activation.slope=0.1"],
        "got an unexpected keyword argument 'slope'",
    ),
    "a logger whose package is missing": (
        [*MLP, "+logger.comet._target_=lightning.pytorch.loggers.CometLogger"],
        "logger.comet: lightning.pytorch.loggers.CometLogger needs a package that is not",
    ),
    "ckpt_path not a file": ([*MLP, "ckpt_path=nowhere.ckpt"], "ckpt_path=nowhere.ckpt is not"),
    "ckpt_path cut short": ([*MLP, "ckpt_path=cut.ckpt"], "could not be read as a checkpoint"),
    "ckpt_path weights alone": ([*MLP, "ckpt_path=weights.ckpt"], "is not a Lightning checkpoint"),
    "ckpt_path of another model": (
        [*MLP, "ckpt_path=other.ckpt"],
        "holds the weights of another model than this config builds",
    ),
    "ckpt_path crafted": ([*MLP, "ckpt_path=crafted.ckpt"], "was refused: it holds more than"),
    "ckpt_path in a sweep": (["-m", *MLP, "ckpt_path=weights.ckpt"], "continues one run, not a"),
}
"""Each bad input: the command line, and what its message says."""

EVAL_BAD_INPUTS: dict[str, tuple[list[str], str]] = {
    "eval: ckpt_path not a file": (["ckpt_path=nowhere.ckpt"], "ckpt_path=nowhere.ckpt is not"),
    "eval: outside a run folder": (["ckpt_path=cut.ckpt"], "must be a checkpoint inside a run"),
}
"""Each bad input of eval.py."""


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder to run from, with tiny MNIST files in data/, unreadable ones in corrupt/, and
    checkpoints cut short, of weights alone, of another model, and crafted to run code."""
    folder = tmp_path_factory.mktemp("user_errors")
    write_mnist_files(folder / "data" / "MNIST" / "raw")
    write_mnist_files(folder / "corrupt" / "MNIST" / "raw")
    labels = folder / "corrupt" / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    labels.write_bytes(labels.read_bytes()[:20])
    (folder / "cut.ckpt").write_bytes(b"PK\x03\x04 half a zip")
    torch.save(nn.Linear(2, 2).state_dict(), folder / "weights.ckpt")
    other = {"state_dict": nn.Linear(2, 2).state_dict(), "global_step": 0}
    torch.save(other, folder / "other.ckpt")
    torch.save({"global_step": 1, "x": Payload(folder / "payload ran")}, folder / "crafted.ckpt")
    return folder


def answers(result) -> str:
    """What a command printed, both streams."""
    return result.stdout + result.stderr


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_each_bad_input_is_answered_by_its_message_alone(workdir: Path, case: str) -> None:
    args, message = BAD_INPUTS[case]
    if case == "a GPU experiment on a CPU" and torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    result = run_in_process(train_cli.main, *args, cwd=workdir)
    assert result.returncode == 1
    assert message in answers(result)
    assert "Traceback" not in answers(result)
    assert "Epoch 0" not in answers(result)  # before training
    assert not (workdir / "payload ran").exists()


@pytest.mark.parametrize("case", sorted(EVAL_BAD_INPUTS))
def test_each_bad_input_of_eval_is_answered_by_its_message_alone(workdir, case) -> None:
    args, message = EVAL_BAD_INPUTS[case]
    result = run_in_process(eval_cli.main, *args, cwd=workdir)
    assert result.returncode == 1
    assert f"Error: {message}" in result.stderr or message in answers(result)
    assert "Traceback" not in answers(result)


def test_the_docs_count_the_bad_inputs_tried() -> None:
    count = len(BAD_INPUTS) + len(EVAL_BAD_INPUTS)
    assert count >= 60
    assert f"({count}, each one a case" in (REPO / "docs" / "reliability.md").read_text()
    assert f"The tests try {count} such mistakes" in (REPO / "docs" / "running.md").read_text()


def test_hydra_full_error_shows_the_traceback(workdir, monkeypatch) -> None:
    monkeypatch.setenv("HYDRA_FULL_ERROR", "1")
    result = run_in_process(train_cli.main, *MLP, "optimizer.lr=-1", cwd=workdir)
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "ConfigError: optimizer.lr=-1" in result.stderr


def test_a_bug_keeps_its_traceback(workdir, monkeypatch) -> None:
    def broken(cfg: object) -> None:
        raise RuntimeError("a bug, not the user's mistake")

    monkeypatch.setattr(recipe, "check_config", broken)
    result = run_in_process(train_cli.main, *MLP, cwd=workdir)
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "RuntimeError: a bug, not the user's mistake" in result.stderr
