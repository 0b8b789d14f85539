"""`study=s2_cifar10_adaptive`: S2's activation x model grid on CIFAR-10."""

import csv
import json
from pathlib import Path

from helpers import FAST, TINY_MODEL
from omegaconf import OmegaConf

from actlab.config import CONFIG_DIR
from actlab.run.recipe import run

S2_ACTIVATIONS = "sigmoid,asigmoid,tanh,atanh,relu,arelu,adaptive_mix,fixed_mix"


def test_the_grid_is_s2s_and_every_option_in_it_exists(compose_run) -> None:
    cfg = compose_run("study=s2_cifar10_adaptive")
    grid = cfg.hydra.sweeper.params
    assert grid.activation == S2_ACTIVATIONS
    assert set(grid.model.split(",")) == {"alexnet", "lenet", "googlenet", "resnet50", "densenet"}
    for group in ("activation", "model"):
        for option in grid[group].split(","):
            assert (CONFIG_DIR / group / f"{option}.yaml").exists(), f"{group}={option}"


def test_the_protocol_is_s2s(compose_run) -> None:
    cfg = compose_run("study=s2_cifar10_adaptive", "model=resnet50")
    assert cfg.data._target_.endswith("CIFAR10DataModule")
    assert cfg.optimizer._target_ == "torch.optim.SGD"
    assert OmegaConf.to_container(cfg.monitor) == {"metric": "val/precision", "mode": "max"}
    assert cfg.trainer.max_epochs == 150
    assert cfg.model.depth == 50 and cfg.model._target_.endswith("ResNet")


def test_one_job_of_the_grid_runs_and_reports_macro_precision(
    compose_run, cifar_dir: Path, tmp_path: Path
) -> None:
    cfg = compose_run(
        "study=s2_cifar10_adaptive", "model=lenet", *TINY_MODEL["lenet"], *FAST,
        "activation=adaptive_mix", "data.batch_size=16", "trainer.max_epochs=1",
    )  # fmt: skip
    objective = run(cfg)
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["status"] == "ok"
    assert objective == record["best"]["val/precision"] == record["history"][0]["val/precision"]
    with (tmp_path / "run" / "adaptive_params.csv").open() as file:
        assert len(list(csv.DictReader(file))) == 4
