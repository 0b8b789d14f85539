"""StackingSweeper: Hydra's grid sweeper, launching a sweep's jobs in stacks."""

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig, OmegaConf

from actlab.storage.folders import quoted
from actlab.sweep.stacking import COMPOSED, check_stack, plan_stacks
from actlab.utils.errors import ConfigError

log = logging.getLogger(__name__)


class StackingSweeper(BasicSweeper):
    """Hydra's grid sweeper, whose jobs train in stacks of up to `stack.size` (a config key, as
    every job's config holds it): each stack of two or more is launched as one job that trains its
    members together (`actlab.run.stack`) in `<sweep>/stacks/<i>/`, each member still in its own
    job folder, numbered as without stacking. With `stack.size=1`, Hydra's basic sweeper."""

    def sweep(self, arguments: list[str]) -> Any:
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        overrides = parser.parse_overrides([*self._parse_config(), *arguments])
        self.overrides = self.split_arguments(overrides, self.max_batch_size)
        sweep_dir = Path(self.config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
        returns, first_job = [], 0
        self.stacks = 0  # launched so far
        while not self.is_done():
            batch = self.get_job_batch()
            configs = [
                self.hydra_context.config_loader.load_sweep_config(self.config, list(job))
                for job in batch
            ]
            jobs = self.stacked(batch, configs, sweep_dir, first_job)
            returns.append(self.launcher.launch(jobs, initial_job_idx=first_job))
            first_job += len(batch)
        return returns

    def stacked(
        self,
        batch: Sequence[Sequence[str]],
        configs: list[DictConfig],
        sweep_dir: Path,
        first_job: int,
    ) -> list[list[str]]:
        """The jobs to launch for `batch` (jobs numbered from `first_job`): each stack of two or
        more as one job (its members' numbers and overrides written in
        `<sweep>/stacks/<i>/members.yaml`), the others as they are, in their own job folders."""
        sizes = {cfg.stack.size for cfg in configs}
        if len(sizes) > 1:
            raise ConfigError(f"stack.size is swept ({sorted(sizes)}): give one size to the sweep")
        for cfg in configs:
            check_stack(cfg.stack)
        size, over = configs[0].stack.size, list(configs[0].stack.over)
        if size == 1:
            return [list(job) for job in batch]
        jobs = []
        for stack in plan_stacks(configs, size, over):
            if len(stack) == 1:
                (index,) = stack
                jobs.append([*batch[index], f"hydra.sweep.subdir={first_job + index}"])
                continue
            number, self.stacks = self.stacks, self.stacks + 1
            members = sweep_dir / "stacks" / str(number) / "members.yaml"
            members.parent.mkdir(parents=True, exist_ok=True)
            listed = [{"job": first_job + i, "overrides": list(batch[i])} for i in stack]
            COMPOSED.update({tuple(batch[i]): configs[i] for i in stack})
            OmegaConf.save(OmegaConf.create(listed), members)
            log.info(
                "Stacking: jobs %s train as one stack (stacks/%d)",
                ", ".join(str(first_job + i) for i in stack), number,
            )  # fmt: skip
            jobs.append(
                [
                    *batch[stack[0]],
                    f"hydra.sweep.subdir=stacks/{number}",
                    f"stack.members={quoted(str(members))}",
                ]
            )
        return jobs
