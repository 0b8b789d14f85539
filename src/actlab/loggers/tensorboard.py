"""TensorBoard for a study's runs: curves named by what varies in the sweep, and shown first."""

from functools import cache
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.types import RunMode
from lightning.pytorch.loggers import TensorBoardLogger as LightningTensorBoardLogger
from omegaconf import OmegaConf

from actlab.storage.folders import sweep_record

BOOKKEEPING = {
    "epoch": "~run/epoch",
    "lr-": "~run/lr-",
    "hparams/": "~hparams/",
    "test/": "~hparams/test_",
}
"""Where the scalars that are not curves go: Lightning's epoch counter, the learning rates
(LearningRateMonitor), the HParams tab's summary of the run (RunRecord), and the test metrics,
one point each, filed with that summary (where it has them under the same names)."""


def tensorboard_tag(tag: str) -> str:
    """The tag under which TensorBoard shows the scalar `tag`: what is not a curve under `~...`,
    which sorts after every letter; the curves (train/, val/...) as they are."""
    for start, place in BOOKKEEPING.items():
        if tag.startswith(start):
            return place + tag.removeprefix(start)
    return tag


def what_varies() -> str:
    """This job's values of the keys that its sweep varies, `activation=gelu,seed=2`, in the
    order of its overrides: the keys swept on the command line and in `hydra.sweeper.params`.
    Empty outside a sweep."""
    if not HydraConfig.initialized() or HydraConfig.get().mode != RunMode.MULTIRUN:
        return ""
    hydra_cfg = HydraConfig.get()
    swept = set(OmegaConf.select(hydra_cfg, "sweeper.params", default=None) or {})
    command = Path(hydra_cfg.sweep.dir) / "multirun.yaml"  # the sweep's command line
    if command.exists():
        swept |= swept_on_command_line(command, command.stat().st_mtime_ns)
    job = OverridesParser.create().parse_overrides(list(hydra_cfg.overrides.task))
    return ",".join(
        f"{override.key_or_group}={override.get_value_element_as_str()}".replace("/", "_")
        for override in job
        if override.key_or_group in swept
    )


@cache
def swept_on_command_line(command: Path, modified: int) -> frozenset[str]:
    """The keys that the sweep command recorded in `command` (its multirun.yaml, as last
    `modified`) sweeps: read once per version of the file (a stack's members share it), and as
    Hydra rewrites it in place when another command resumes the sweep."""
    task = list(sweep_record(command).hydra.overrides.task)
    overrides = OverridesParser.create().parse_overrides(task)
    return frozenset(o.key_or_group for o in overrides if o.is_sweep_override())


class TensorBoardLogger(LightningTensorBoardLogger):
    """Lightning's TensorBoard logger, for runs that are compared with each other.

    In a sweep, each run's event files go to `<job>/tensorboard/<what varies>/`, so that
    TensorBoard lists the run as `3/tensorboard/activation=gelu,seed=2` rather than
    `3/tensorboard`; the job folders keep their numbers. And the scalars that are not curves go
    under `~run/` and `~hparams/` (`tensorboard_tag`): TensorBoard lists tag groups in sorted
    order and opens the first two, so the training and validation curves come first.
    """

    def __init__(self, save_dir: str, name: str = "tensorboard", **kwargs: Any) -> None:
        kwargs.setdefault("version", what_varies())
        super().__init__(save_dir, name=name, **kwargs)

    def log_metrics(self, metrics: dict[str, Any], step: int | None = None) -> None:
        super().log_metrics({tensorboard_tag(tag): value for tag, value in metrics.items()}, step)

    def log_hyperparams(self, params: Any, metrics: dict[str, Any] | None = None) -> None:
        shown = None if metrics is None else {tensorboard_tag(t): v for t, v in metrics.items()}
        super().log_hyperparams(params, shown)
