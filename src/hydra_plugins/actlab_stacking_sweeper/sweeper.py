"""StackingSweeper: a grid sweeper, on Hydra's public Sweeper interface, that launches a sweep's
jobs in stacks (`hydra/sweeper=stacking`, with `stack.size`)."""

import itertools
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from hydra.core.plugins import Plugins
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf

from actlab.storage.folders import quoted
from actlab.sweep.stacking import COMPOSED, check_stack, plan_stacks
from actlab.utils.errors import ConfigError

log = logging.getLogger(__name__)


def grid(overrides: Sequence[Override]) -> list[list[str]]:
    """Every job of a grid sweep over `overrides` (a key given twice: the later value), in the
    order Hydra's basic sweeper runs them: the last key varies fastest."""
    choices: dict[str, list[str]] = {}
    for override in overrides:
        key = override.get_key_element()
        if not override.is_sweep_override():
            choices[key] = [f"{key}={override.get_value_element_as_str()}"]
        elif override.is_discrete_sweep():
            choices[key] = [f"{key}={value}" for value in override.sweep_string_iterator()]
        else:
            raise ConfigError(
                f"{key}: a {override.value_type.name.lower()} sweep is not a grid; give a list of "
                "values (a,b,c) or a range (range(0,4))"
            )
    return [list(job) for job in itertools.product(*choices.values())]


class StackingSweeper(Sweeper):
    """A grid sweeper (Hydra's basic sweeper's grid, batches and job numbers) whose jobs train in
    stacks of up to `stack.size` (a key of every job's config): each stack of two or more is
    launched as one job that trains its members together (`actlab.run.stack`), in
    `<sweep>/stacks/<i>/`, each member still in its own job folder; the others as they are."""

    def __init__(self, max_batch_size: int | None = None, params: dict[str, str] | None = None):
        self.max_batch_size = max_batch_size
        self.params = params or {}
        self.stacks = 0  # launched so far

    def setup(
        self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig
    ) -> None:
        self.hydra_context = hydra_context
        self.config = config
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config
        )

    def batches(self, arguments: list[str]) -> Iterator[list[list[str]]]:
        """The sweep's jobs (`hydra.sweeper.params`, then `arguments`), `max_batch_size` at a
        time."""
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        params = [f"{key}={value}" for key, value in self.params.items()]
        jobs = grid(parser.parse_overrides([*params, *arguments]))
        size = self.max_batch_size if self.max_batch_size not in (None, -1) else len(jobs)
        for start in range(0, len(jobs), size):
            yield jobs[start : start + size]

    def sweep(self, arguments: list[str]) -> list[Sequence[Any]]:
        sweep_dir = Path(self.config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
        returns, first_job = [], 0
        for batch in self.batches(arguments):
            configs = [
                self.hydra_context.config_loader.load_sweep_config(self.config, job)
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
