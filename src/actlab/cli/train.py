"""`actlab-train` (or `python train.py`): one run, or a sweep with -m."""

import hydra
from omegaconf import DictConfig

from actlab.config import CONFIG_DIR
from actlab.run.recipe import run
from actlab.utils.console import quiet_third_parties
from actlab.utils.errors import answers_user_errors


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="train")
@answers_user_errors
def main(cfg: DictConfig) -> float:
    """Train the run that `cfg` describes (one job of a sweep under -m)."""
    quiet_third_parties()
    return run(cfg)
