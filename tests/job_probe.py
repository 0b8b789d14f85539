"""A user's Hydra callback, as a test gives it on the command line: it notes in each job's folder
when Hydra told it of the job's start and end, and what the job returned."""

import json
import math
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.core.utils import JobReturn
from hydra.experimental.callback import Callback
from omegaconf import DictConfig


class JobProbe(Callback):
    def _note(self, config: DictConfig, **note: Any) -> None:
        # Hydra's config is the job's own while its callbacks run.
        assert HydraConfig.get().runtime.output_dir == config.hydra.runtime.output_dir
        path = Path(config.hydra.runtime.output_dir) / "job_probe.jsonl"
        with path.open("a") as notes:
            notes.write(json.dumps(note) + "\n")

    def on_job_start(self, config: DictConfig, **kwargs: Any) -> None:
        self._note(config, hook="on_job_start")

    def on_job_end(self, config: DictConfig, job_return: JobReturn, **kwargs: Any) -> None:
        value = job_return.return_value
        value = None if isinstance(value, float) and math.isnan(value) else value
        record = Path(config.hydra.runtime.output_dir) / "metrics.json"  # a stack's job has none
        status = json.loads(record.read_text())["status"] if record.exists() else None
        self._note(config, hook="on_job_end", value=value, status=status)
