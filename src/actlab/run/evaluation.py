"""A run's checkpoint on the test split, built from its own config (`actlab-eval`)."""

import json
from pathlib import Path

from actlab.config import run_config
from actlab.config.build import build, build_classifier
from actlab.storage.checkpoints import CheckpointIO
from actlab.utils.atomic import write_text_atomically


def evaluate(ckpt_path: Path, output_dir: Path) -> dict[str, float]:
    """Test the checkpoint with the model, data and metrics of its run, on one device; writes and
    returns the test metrics (`eval.json` in `output_dir`)."""
    cfg = run_config(ckpt_path)
    datamodule = build(cfg, "data")
    classifier = build_classifier(cfg, datamodule)
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
