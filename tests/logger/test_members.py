"""MembersLogger: what a stack logs for each member reaches that member's own loggers."""

from typing import Any

from lightning.pytorch.loggers import Logger

from actlab.loggers.members import MembersLogger
from actlab.training.stacked import member_key


class Kept(Logger):
    """A logger that keeps what it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.logged: list[tuple[dict[str, Any], int | None]] = []

    name = "kept"
    version = 0

    def log_metrics(self, metrics: dict[str, Any], step: int | None = None) -> None:
        self.logged.append((metrics, step))

    def log_hyperparams(self, params: Any, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("a member's hyper-parameters are its record's to log")


def test_each_members_metrics_go_to_its_own_loggers_under_their_solo_names() -> None:
    first, second, third = Kept(), Kept(), Kept()
    logger = MembersLogger([[first, second], [third], []])
    logger.log_metrics(
        {member_key(0, "val/acc"): 0.5, member_key(2, "val/acc"): 0.7, "epoch": 3}, step=12
    )
    logger.log_hyperparams({"lr": 0.1})
    assert first.logged == second.logged == [({"val/acc": 0.5, "epoch": 3}, 12)]
    assert third.logged == []  # member 1 logged nothing at this step
