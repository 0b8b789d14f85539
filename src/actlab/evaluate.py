"""`actlab-eval ckpt_path=...`: a run's checkpoint on the test split, built from its own config."""

import json
import logging
from pathlib import Path

import hydra
from omegaconf import DictConfig, OmegaConf

from actlab.atomic import write_text_atomically
from actlab.build import build, build_model
from actlab.checkpoints import CheckpointIO
from actlab.config import CONFIG_DIR
from actlab.console import quiet_third_parties
from actlab.errors import CheckpointError, answers_user_errors
from actlab.module import Classifier

log = logging.getLogger(__name__)


def run_config(ckpt_path: Path) -> DictConfig:
    """The composed config of the run that wrote `ckpt_path` (<run dir>/checkpoints/*.ckpt)."""
    if not ckpt_path.is_file():
        raise CheckpointError(f"ckpt_path={ckpt_path} is not a file")
    config = ckpt_path.resolve().parent.parent / ".hydra" / "config.yaml"
    if not config.is_file():
        raise CheckpointError(
            f"no run config at {config}: ckpt_path must be a checkpoint inside a run directory "
            "(<run dir>/checkpoints/*.ckpt) that holds its .hydra/config.yaml"
        )
    return OmegaConf.load(config)


def evaluate(ckpt_path: Path, output_dir: Path) -> dict[str, float]:
    """Test the checkpoint with the model, data and metrics of its run, on one device; writes and
    returns the test metrics (`eval.json` in `output_dir`)."""
    cfg = run_config(ckpt_path)
    datamodule = build(cfg, "data")
    classifier = Classifier(
        build_model(cfg, datamodule.input_shape, datamodule.num_classes),
        num_classes=datamodule.num_classes,
        optimizer=build(cfg, "optimizer"),
        channels_last=cfg.channels_last,
    )
    trainer = build(
        cfg,
        "trainer",
        devices=1,
        strategy="auto",
        sync_batchnorm=False,
        logger=False,
        callbacks=[],
        enable_checkpointing=False,
        default_root_dir=str(output_dir),
        plugins=[CheckpointIO()],  # this version's, whatever the run's config names
    )
    (metrics,) = trainer.test(classifier, datamodule=datamodule, ckpt_path=str(ckpt_path))
    record = {"ckpt_path": str(ckpt_path.resolve()), "test": metrics}
    write_text_atomically(output_dir / "eval.json", json.dumps(record, indent=2))
    return metrics


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="eval")
@answers_user_errors
def main(cfg: DictConfig) -> None:
    """`actlab-eval ckpt_path=...` / `python eval.py ckpt_path=...`."""
    quiet_third_parties()
    metrics = evaluate(Path(cfg.ckpt_path), Path(cfg.paths.output_dir))
    log.info("Test metrics of %s: %s", cfg.ckpt_path, metrics)
