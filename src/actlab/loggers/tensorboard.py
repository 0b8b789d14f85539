"""TensorBoard for a study's runs: named by what varies in the sweep, the curves first, steps that
go forward, and an HParams table that opens on the swept axes."""

import time
from functools import cache
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from hydra.types import RunMode
from lightning.pytorch.loggers import TensorBoardLogger as LightningTensorBoardLogger
from lightning.pytorch.utilities import rank_zero_only
from omegaconf import OmegaConf
from tensorboard.compat.proto.summary_pb2 import Summary
from tensorboard.plugins.hparams import api_pb2, metadata, plugin_data_pb2

from actlab.storage.folders import sweep_record

CURVES = ("train/", "val/")
"""The tag groups a reader opens TensorBoard for: the only ones left where they sort first."""

BOOKKEEPING = {
    "epoch": "~run/epoch",
    "lr-": "~run/lr-",
    "hparams/": "~hparams/",
    "test/": "~hparams/test_",
}
"""Where some scalars that are not curves go: Lightning's epoch counter, the learning rates
(LearningRateMonitor), the run's summary (RunRecord), and the test metrics, one point each, filed
with that summary. Every other tag that is not a curve goes under `~` and its own name."""

ALWAYS_SHOWN = ("seed",)
"""The hyper-parameters HParams shows first in every sweep, swept or not."""

LISTED_AFTER = ("status",)
"""What HParams lists after them; what the runs of a sweep share is in each run's config
(`.hydra/config.yaml`, `hparams.yaml` beside the event files), not in the table."""


def tensorboard_tag(tag: str) -> str:
    """The tag under which TensorBoard shows the scalar `tag`: the curves (train/, val/) as they
    are; everything else under a name starting with `~`, which sorts after every letter, so that
    TensorBoard, which lists tag groups in sorted order and opens the first two, opens the
    curves whatever else a run logs (`adaptive/<site>/<name>` goes to `~adaptive/...`)."""
    if tag.startswith(CURVES):
        return tag
    for start, place in BOOKKEEPING.items():
        if tag.startswith(start):
            return place + tag.removeprefix(start)
    return tag if tag.startswith("~") else "~" + tag


def in_sweep() -> bool:
    """Whether this job is one of a Hydra sweep's."""
    return HydraConfig.initialized() and HydraConfig.get().mode == RunMode.MULTIRUN


def swept_overrides() -> list[Override]:
    """This job's overrides of the keys its sweep varies, in the order of its overrides: the keys
    swept on the command line and in `hydra.sweeper.params`. Empty outside a sweep."""
    if not in_sweep():
        return []
    hydra_cfg = HydraConfig.get()
    swept = set(OmegaConf.select(hydra_cfg, "sweeper.params", default=None) or {})
    command = Path(hydra_cfg.sweep.dir) / "multirun.yaml"  # the sweep's command line
    if command.exists():
        swept |= swept_on_command_line(command, command.stat().st_mtime_ns)
    job = OverridesParser.create().parse_overrides(list(hydra_cfg.overrides.task))
    return [override for override in job if override.key_or_group in swept]


def what_varies() -> str:
    """This job's values of what its sweep varies, short: a config group's option by its name,
    any other key as `key=value` (`prelu,seed=2`, `gelu,optimizer.lr=0.01`); empty outside a
    sweep or where the sweep varies nothing."""
    choices = HydraConfig.get().runtime.choices if in_sweep() else {}
    parts = []
    for override in swept_overrides():
        value = override.get_value_element_as_str()
        parts.append(
            value if override.key_or_group in choices else f"{override.key_or_group}={value}"
        )
    return ",".join(parts).replace("/", "_")


def trial_name(varies: str) -> str:
    """The run's name in HParams' Trial ID column: what varies, then the sweep's folder, so that
    two sweeps' runs with the same values stay apart; the run's folder outside a sweep."""
    if not HydraConfig.initialized():
        return varies
    hydra_cfg = HydraConfig.get()
    if not in_sweep():
        return Path(hydra_cfg.runtime.output_dir).name
    return (
        f"{varies} ({Path(hydra_cfg.sweep.dir).name})" if varies else Path(hydra_cfg.sweep.dir).name
    )


@cache
def swept_on_command_line(command: Path, modified: int) -> frozenset[str]:
    """The keys that the sweep command recorded in `command` (its multirun.yaml, as last
    `modified`) sweeps: read once per version of the file (a stack's members share it), and as
    Hydra rewrites it in place when another command resumes the sweep."""
    task = list(sweep_record(command).hydra.overrides.task)
    overrides = OverridesParser.create().parse_overrides(task)
    return frozenset(o.key_or_group for o in overrides if o.is_sweep_override())


def hparam_info(name: str, value: Any, shown: bool) -> api_pb2.HParamInfo:
    """HParams' description of one hyper-parameter; `shown` ones are marked as differing from
    run to run, which TensorBoard lists (and shows) first."""
    kind = (
        api_pb2.DATA_TYPE_BOOL
        if isinstance(value, bool)
        else api_pb2.DATA_TYPE_FLOAT64
        if isinstance(value, int | float)
        else api_pb2.DATA_TYPE_STRING
    )
    return api_pb2.HParamInfo(name=name, type=kind, differs=shown)


def hparams_summary(tag: str, data: plugin_data_pb2.HParamsPluginData) -> Summary:
    """A summary holding HParams plugin `data` under the plugin's `tag`."""
    summary = Summary()
    summary.value.add(
        tag=tag, metadata=metadata.create_summary_metadata(data), tensor=metadata.NULL_TENSOR
    )
    return summary


class TensorBoardLogger(LightningTensorBoardLogger):
    """Lightning's TensorBoard logger, for runs that are compared with each other.

    - In a sweep, each run's event files go to `<job>/<what varies>/` (`what_varies`), so that
      TensorBoard lists the run as `3/gelu,seed=2` (`<sweep>/3/gelu,seed=2` from `logs/multiruns`):
      the job folders keep their numbers and hold all of a run's files.
    - The tags that are not curves go under `~` (`tensorboard_tag`), so that the training and
      validation curves come first.
    - Every tag's steps go forward: Lightning's epoch counter once per epoch (with the epoch's
      first curve point; not with the test metrics, where it counts the epochs trained); the
      hyper-parameters' metrics at the run's last step, and only those not logged already.
    - HParams (`log_hyperparams` with metrics): the table's columns are the swept
      hyper-parameters and the seed (then the status), and the metrics given, in their order;
      the Trial ID says what varies.
    """

    def __init__(self, save_dir: str, name: str = "tensorboard", **kwargs: Any) -> None:
        self.varies = what_varies()
        self.swept = {o.key_or_group for o in swept_overrides()} | set(ALWAYS_SHOWN)
        if self.varies:  # <job>/<what varies>/, not <job>/tensorboard/<what varies>/
            name = ""
        kwargs.setdefault("version", self.varies)
        super().__init__(save_dir, name=name, **kwargs)
        self.last_epoch: int | None = None
        self.written: set[str] = set()

    @rank_zero_only
    def log_metrics(self, metrics: dict[str, Any], step: int | None = None) -> None:
        metrics = dict(metrics)
        epoch = metrics.pop("epoch", None)
        curves = any(tag.startswith(CURVES) for tag in metrics)
        if epoch is not None and epoch != self.last_epoch and curves:
            metrics["epoch"], self.last_epoch = epoch, epoch
        shown = {tensorboard_tag(tag): value for tag, value in metrics.items()}
        self.written |= set(shown)
        super().log_metrics(shown, step)

    @rank_zero_only
    def log_hyperparams(
        self, params: Any, metrics: dict[str, Any] | None = None, step: int | None = None
    ) -> None:
        """Keep `params` (in hparams.yaml), and where `metrics` are given, write HParams' entry of
        the run: `params` with the swept ones first, the `metrics` as its columns (their values
        logged at `step` where the run has not logged those tags)."""
        super().log_hyperparams(params)
        if metrics is None:
            return
        columns = {tensorboard_tag(tag): value for tag, value in metrics.items()}
        new = {tag: value for tag, value in columns.items() if tag not in self.written}
        if new:
            LightningTensorBoardLogger.log_metrics(self, new, step)
            self.written |= set(new)
        params = dict(params)
        listed = [key for key in params if key in self.swept] + [
            key for key in LISTED_AFTER if key in params and key not in self.swept
        ]
        experiment = api_pb2.Experiment(
            hparam_infos=[hparam_info(key, params[key], key in self.swept) for key in listed],
            metric_infos=[
                api_pb2.MetricInfo(
                    name=api_pb2.MetricName(tag=tag), display_name=name.removeprefix("hparams/")
                )
                for name, tag in zip(metrics, columns, strict=True)
            ],
        )
        start = plugin_data_pb2.SessionStartInfo(
            group_name=trial_name(self.varies), start_time_secs=time.time()
        )
        for key, value in params.items():
            if isinstance(value, bool):
                start.hparams[key].bool_value = value
            elif isinstance(value, int | float):
                start.hparams[key].number_value = value
            else:
                start.hparams[key].string_value = str(value)
        ok = params.get("status") == "ok"
        end = plugin_data_pb2.SessionEndInfo(
            status=api_pb2.STATUS_SUCCESS if ok else api_pb2.STATUS_FAILURE,
            end_time_secs=time.time(),
        )
        writer = self.experiment.file_writer
        for tag, data in (
            (metadata.EXPERIMENT_TAG, plugin_data_pb2.HParamsPluginData(experiment=experiment)),
            (
                metadata.SESSION_START_INFO_TAG,
                plugin_data_pb2.HParamsPluginData(session_start_info=start),
            ),
            (
                metadata.SESSION_END_INFO_TAG,
                plugin_data_pb2.HParamsPluginData(session_end_info=end),
            ),
        ):
            data.version = metadata.PLUGIN_DATA_VERSION
            writer.add_summary(hparams_summary(tag, data), step)
