"""MembersLogger: a stack's one logger, which hands what the stack logs for each member to that
member's own loggers (`actlab.training.stacked`, `actlab.run.stack`)."""

from typing import Any

from lightning.pytorch.loggers import Logger
from lightning.pytorch.utilities import rank_zero_only
from torch import Tensor


class MembersLogger(Logger):
    """The logger of a stack's Trainer: Lightning logs the stack's metrics (`<k>/<name>`:
    `actlab.training.stacked.member_key`) at the steps and with the epoch it logs a solo run's
    at, and member k's go to `loggers[k]` under their solo names, with what they share (the
    epoch). Hyper-parameters it leaves to each member's own record."""

    def __init__(self, loggers: list[list[Logger]]) -> None:
        super().__init__()
        self.loggers = loggers

    @property
    def name(self) -> str:
        return "members"

    @property
    def version(self) -> int:
        return 0

    @rank_zero_only
    def log_metrics(self, metrics: dict[str, float | Tensor], step: int | None = None) -> None:
        own: dict[int, dict[str, float | Tensor]] = {}
        shared = {}
        for key, value in metrics.items():
            head, _, name = key.partition("/")
            if head.isdigit() and name:
                own.setdefault(int(head), {})[name] = value
            else:
                shared[key] = value
        for member, values in own.items():
            for logger in self.loggers[member]:
                logger.log_metrics({**values, **shared}, step=step)

    def log_hyperparams(self, params: Any, *args: Any, **kwargs: Any) -> None:
        """Nothing: each member's record logs its own."""
