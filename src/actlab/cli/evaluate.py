"""`actlab-eval ckpt_path=...` (or `python eval.py ckpt_path=...`): a run's checkpoint on the test
split, from its own config; writes eval.json."""

import logging
from pathlib import Path

import hydra
from omegaconf import DictConfig

from actlab.config import CONFIG_DIR
from actlab.run.evaluation import evaluate
from actlab.utils.console import quiet_third_parties
from actlab.utils.errors import answers_user_errors

log = logging.getLogger(__name__)


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="eval")
@answers_user_errors
def main(cfg: DictConfig) -> None:
    """Test the checkpoint `ckpt_path` names."""
    quiet_third_parties()
    metrics = evaluate(Path(cfg.ckpt_path), Path(cfg.paths.output_dir))
    log.info("Test metrics of %s: %s", cfg.ckpt_path, metrics)
