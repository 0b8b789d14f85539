"""A member's callbacks on its stack's Trainer (`for_member`): its own module, only while it
trains, its errors and stops its own, its checkpoint state under its solo run's key."""

from types import SimpleNamespace

import lightning as L
import pytest
import torch
from hydra.utils import get_class
from lightning.pytorch.callbacks import EarlyStopping, LearningRateMonitor, ModelCheckpoint
from torch import nn

from actlab.callbacks.divergence import DivergenceWatch
from actlab.callbacks.members import OfMember, for_member
from actlab.callbacks.run_record import RunRecord
from actlab.run.stack import STACK_OWN
from actlab.sweep.stacking import MEMBER_CALLBACKS
from actlab.training.classifier import Classifier
from actlab.training.stacked import StackedClassifier, solo_key


class Probe(L.Callback):
    """Keeps the modules it is called with; raises or stops the fit where told."""

    def __init__(self, fail: bool = False, stop: bool = False) -> None:
        self.seen: list[L.LightningModule] = []
        self.fail, self.stop = fail, stop

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.seen.append(pl_module)
        if self.fail:
            raise ValueError("the member's own mistake")
        trainer.should_stop = trainer.should_stop or self.stop


def stack_of(k: int) -> tuple[StackedClassifier, dict[int, Exception]]:
    left: dict[int, Exception] = {}
    members = [
        Classifier(nn.Linear(4, 3), num_classes=3, optimizer=torch.optim.SGD) for _ in range(k)
    ]
    return StackedClassifier(members, on_leave=left.__setitem__), left


def test_a_members_callback_sees_its_own_module_and_only_while_it_trains() -> None:
    stack, _ = stack_of(2)
    probe = for_member(Probe(), 1)
    trainer = SimpleNamespace(testing=False, should_stop=False)
    probe.on_train_epoch_end(trainer, stack)
    assert probe.seen == [stack.members[1]]
    stack.leave(1, tested=True)
    probe.on_train_epoch_end(trainer, stack)
    assert len(probe.seen) == 1


def test_what_a_members_callback_raises_ends_that_member_alone() -> None:
    stack, left = stack_of(2)
    failing = for_member(Probe(fail=True), 0)
    trainer = SimpleNamespace(testing=False, should_stop=False)
    failing.on_train_epoch_end(trainer, stack)
    assert isinstance(left[0], ValueError) and stack.training_members == [1]
    assert stack.tested_members == [1] and not trainer.should_stop


@pytest.mark.parametrize("members", [1, 2])
def test_a_member_that_stops_leaves_tested_and_the_fit_stops_with_the_last(members: int) -> None:
    stack, left = stack_of(members)
    stopping = for_member(Probe(stop=True), 0)
    trainer = SimpleNamespace(testing=False, should_stop=False)
    stopping.on_train_epoch_end(trainer, stack)
    assert 0 not in stack.training_members and 0 in stack.tested_members and not left
    assert trainer.should_stop == (members == 1)


@pytest.mark.parametrize("kind", [ModelCheckpoint, EarlyStopping])
def test_a_members_checkpoint_state_is_keyed_as_its_solo_runs(kind: type) -> None:
    solo = kind(monitor="val/acc", mode="max")
    member = for_member(kind(monitor="val/acc", mode="max"), 3)
    assert member.monitor == "3/val/acc" and type(member).__qualname__ == kind.__qualname__
    assert member.state_key != solo.state_key and solo_key(member.state_key, 3) == solo.state_key


def test_every_hook_of_a_callback_a_member_keeps_is_called_as_that_members() -> None:
    """The hooks a member's callbacks implement are those `OfMember` calls while the member trains
    (a hook Lightning adds to one of them would reach it for every member: this fails first)."""
    hooks = [name for name in vars(L.Callback) if name.startswith(("on_", "setup", "teardown"))]
    kept = [get_class(target) for target in MEMBER_CALLBACKS]
    kept = [cls for cls in kept if not issubclass(cls, (*STACK_OWN, LearningRateMonitor))]
    for cls in [*kept, RunRecord, DivergenceWatch]:
        own = [hook for hook in hooks if getattr(cls, hook) is not getattr(L.Callback, hook)]
        assert set(own) <= set(vars(OfMember)), cls
