"""`experiment=cifar10_fast`: the fast CIFAR-10 recipe composes as described and trains."""

import json
from pathlib import Path

from helpers import FAST, TINY_MODEL

from actlab.run.recipe import run


def test_the_recipe_has_every_switch_of_the_fast_path(compose_run) -> None:
    cfg = compose_run("experiment=cifar10_fast")
    assert cfg.data._target_.endswith("CIFAR10DataModule") and cfg.data.augment
    assert cfg.model._target_.endswith("ResNet") and cfg.model.depth == 18
    assert cfg.scheduler.scheduler._target_ == "torch.optim.lr_scheduler.OneCycleLR"
    assert cfg.optimizer.nesterov and cfg.loss.label_smoothing == 0.1
    assert cfg.trainer.accelerator == "gpu" and cfg.trainer.benchmark
    assert cfg.channels_last and cfg.compile == "reduce-overhead" and cfg.data.drop_last
    assert cfg.data.batch_size == 512 and cfg.trainer.max_epochs == 18


def test_the_recipe_trains_on_cifar_files_on_a_cpu(compose_run, cifar_dir, tmp_path: Path) -> None:
    cfg = compose_run(
        "experiment=cifar10_fast", *TINY_MODEL["resnet"], *FAST, "trainer=default",
        "trainer.max_epochs=1", "compile=false", "data.batch_size=16", "data.val_fraction=0.2",
    )  # fmt: skip
    run(cfg)
    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["status"] == "ok" and "test/acc" in record["test"]
    assert record["hparams"]["experiment"] == "cifar10_fast"
