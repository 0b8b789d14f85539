"""The config layer: where the config folder is, and the resolvers its files call.

Whatever composes a config takes `CONFIG_DIR` from here, and importing this module registers the
resolvers (`${best_precision:...}`, `${not:...}`, `${compiling:...}`, `${gpu_jobs:...}`,
`${run_folder:...}`,
`${config_subdir:...}`, `${log_file:...}`): no entry point works only because another module
was imported first.
"""

import operator
from pathlib import Path

from omegaconf import OmegaConf

from actlab.folders import config_subdir, log_file, run_folder
from actlab.placement import gpu_jobs
from actlab.precision import best_precision

CONFIG_DIR = Path(__file__).resolve().parents[2] / "conf"
"""The checkout's `conf/`: actlab is a template, installed editable from its checkout."""

OmegaConf.register_new_resolver("best_precision", best_precision, replace=True)
OmegaConf.register_new_resolver("not", operator.not_, replace=True)
OmegaConf.register_new_resolver("gpu_jobs", gpu_jobs, replace=True)
OmegaConf.register_new_resolver(
    "compiling", lambda compile: compile not in (False, None), replace=True
)
# Cached: one folder, one config folder and one log per command, however often Hydra asks.
OmegaConf.register_new_resolver("run_folder", run_folder, replace=True, use_cache=True)
OmegaConf.register_new_resolver("config_subdir", config_subdir, replace=True, use_cache=True)
OmegaConf.register_new_resolver("log_file", log_file, replace=True, use_cache=True)
