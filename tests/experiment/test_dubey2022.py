"""`study=dubey2022`: the activation benchmark's grid and protocol, corrected where its code chose
on the test set; its miniature runs end to end and is reported."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import FAST, run_cli, tiny_data

ACTIVATIONS = (
    "sigmoid,tanh,elliott,relu,leaky_relu,prelu,elu,selu,gelu,celu,softplus,swish,abrelu,lisht,"
    "srs,mish,pau,pdelu"
)
"""The benchmark's 18 activations, in its paper's order."""


def arm(compose_run, activation: str = "relu", data: str = "cifar10", *overrides: str):
    return compose_run(
        "study=dubey2022",
        f"+study/dubey2022/activation={activation}",
        f"+study/dubey2022/data={data}",
        *overrides,
    )


def test_the_grid_is_the_benchmarks(compose_run) -> None:
    params = compose_run("study=dubey2022").hydra.sweeper.params
    assert params["+study/dubey2022/activation"] == ACTIVATIONS
    assert params.model == "mobilenet,vgg,googlenet,resnet50,senet,densenet"
    assert params["+study/dubey2022/data"] == "cifar10,cifar100"


def test_the_protocol_is_its_codes_with_a_validation_split_choosing(compose_run) -> None:
    cfg = arm(compose_run)
    assert cfg.optimizer._target_ == "torch.optim.Adam" and cfg.optimizer.lr == 0.001
    assert list(cfg.scheduler.scheduler.milestones) == [80] and cfg.scheduler.scheduler.gamma == 0.1
    assert cfg.trainer.max_epochs == 100
    assert list(cfg.data.scaling.mean) == [0.4914, 0.4822, 0.4465]
    assert list(cfg.data.scaling.std) == [0.2023, 0.1994, 0.2010]
    assert cfg.data.augment and cfg.data.augmentation.flip == 0.5
    # Not its code's choice by the test set: a validation split picks the tested epoch.
    assert (cfg.data.validation, cfg.test_weights, cfg.monitor.metric) == (
        "split",
        "best",
        "val/acc",
    )


def test_its_arms_carry_what_its_code_set(compose_run) -> None:
    assert arm(compose_run, "swish").activation.beta == 0.25
    assert arm(compose_run, "leaky_relu").activation.negative_slope == 0.01
    cifar10, cifar100 = arm(compose_run, data="cifar10"), arm(compose_run, data="cifar100")
    assert cifar10.data._target_.endswith("CIFAR10DataModule") and cifar10.data.batch_size == 128
    assert cifar100.data._target_.endswith("CIFAR100DataModule") and cifar100.data.batch_size == 64


@pytest.mark.slow
def test_the_miniature_runs_on_files_in_cifars_formats_and_is_reported(tmp_path: Path) -> None:
    """Two models, four activations, both datasets, two seeds, a few batches: docs/studies.md's
    miniature, on tiny files in CIFAR-10's and CIFAR-100's formats; one report of the sweep."""
    for dataset in ("cifar10", "cifar100"):
        tiny_data(dataset, tmp_path / "data")
    activations = "+study/dubey2022/activation=relu,elu,swish,pau"
    result = run_cli(
        "-m", "study=dubey2022", "model=vgg,senet", activations, "seed=0,1",
        "data.check_md5=false", "++model.width=0.0625", *FAST, "+trainer.limit_train_batches=3",
        "+trainer.limit_val_batches=2", "+trainer.limit_test_batches=2",
        f"paths.root_dir={tmp_path}", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    sweep = next((tmp_path / "logs" / "multiruns").iterdir())
    records = [json.loads(path.read_text()) for path in sweep.glob("*/metrics.json")]
    assert len(records) == 2 * 4 * 2 * 2 and all(r["status"] == "ok" for r in records)
    command = [sys.executable, "-m", "actlab.cli.report", str(sweep)]
    report = subprocess.run(command, capture_output=True, text=True, check=False)
    assert report.returncode == 0, report.stderr[-3000:]
    text = (sweep / "report.md").read_text()
    assert "Ranking across cells" in text and "model=vgg" in text and "cifar100" in text
