"""The config layer: where the config folder is, the resolvers its files call, and the config a
run was composed with.

Whatever composes a config takes `CONFIG_DIR` from here, and importing this module registers the
resolvers (`${best_precision:...}`, `${not:...}`, `${compiling:...}`, `${gpu_jobs:...}`,
`${config_subdir:...}`, `${log_file:...}`, `${tag_dict:...}`,
`${wandb_offline:}`): no entry point works only because another module was imported first.
"""

import netrc
import operator
import os
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from actlab.storage.folders import config_subdir, log_file
from actlab.sweep.placement import gpu_jobs
from actlab.training.precision import best_precision
from actlab.utils.errors import CheckpointError

CONFIG_DIR = Path(__file__).resolve().parents[3] / "conf"
"""The checkout's `conf/`: actlab is a template, installed editable from its checkout."""

OmegaConf.register_new_resolver("best_precision", best_precision, replace=True)
OmegaConf.register_new_resolver("not", operator.not_, replace=True)
OmegaConf.register_new_resolver("gpu_jobs", gpu_jobs, replace=True)
OmegaConf.register_new_resolver("compiling", lambda mode: mode not in (False, None), replace=True)
# Cached: one config folder and one log per command, however often Hydra asks.
OmegaConf.register_new_resolver("config_subdir", config_subdir, replace=True, use_cache=True)
OmegaConf.register_new_resolver("log_file", log_file, replace=True, use_cache=True)
# MLflow's tags are key-value pairs: a run's tags as keys.
OmegaConf.register_new_resolver("tag_dict", lambda tags: {str(tag): "true" for tag in tags})


def wandb_offline() -> bool:
    """Whether W&B must log offline: no API key in WANDB_API_KEY nor from `wandb login`."""
    if os.environ.get("WANDB_API_KEY"):
        return False
    try:
        return netrc.netrc().authenticators("api.wandb.ai") is None
    except (FileNotFoundError, netrc.NetrcParseError):
        return True


OmegaConf.register_new_resolver("wandb_offline", wandb_offline, replace=True)


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
