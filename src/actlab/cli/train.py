"""`actlab-train` (or `python train.py`): one run, or a sweep with -m."""

import gc

import hydra
from omegaconf import DictConfig

from actlab.config import CONFIG_DIR
from actlab.run.recipe import run
from actlab.utils.console import quiet_third_parties
from actlab.utils.errors import answers_user_errors

# What the imports made (torch, Lightning, Hydra: half a million objects) lives as long as the
# command: kept out of the collector's full passes, which would walk it all again at every pass
# and once more at exit (about 1.5 s of a short sweep; docs/performance.md).
gc.freeze()


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="train")
@answers_user_errors
def main(cfg: DictConfig) -> float:
    """Train the run that `cfg` describes (one job of a sweep under -m)."""
    quiet_third_parties()
    return run(cfg)
