"""A stack: the Classifiers of several runs of a sweep (its members) trained as one LightningModule
in one Trainer, each on its own batches, with its own optimizer and learning-rate schedule."""

import logging
from collections.abc import Iterable, Iterator
from typing import Any

import lightning as L
import torch
from torch import Tensor, nn
from torch.func import functional_call, vmap
from torch.optim import Optimizer

from actlab.training.classifier import Classifier

log = logging.getLogger(__name__)


class StackOptimizer(Optimizer):
    """The members' own optimizers, stepped as one: Lightning sees one optimizer and one step per
    batch, each member keeps its own state (its hyper-parameters, moments, step counts), and a
    member that left the stack (diverged, failed, stopped early) is stepped no more: only those
    in `stepped` (a list the stack keeps) are. (Optimizer's own `__init__` is not called: the
    parameters are the members' optimizers'.)"""

    def __init__(self, optimizers: list[Optimizer], stepped: list[int]) -> None:
        self.optimizers = optimizers
        self.stepped = stepped
        self.defaults: dict[str, Any] = {}

    @property
    def param_groups(self) -> list[dict[str, Any]]:  # type: ignore[override]
        return [group for optimizer in self.optimizers for group in optimizer.param_groups]

    @property
    def state(self) -> dict[Tensor, Any]:  # type: ignore[override]
        return {param: s for optimizer in self.optimizers for param, s in optimizer.state.items()}

    def step(self, closure: Any = None) -> Any:  # type: ignore[override]
        loss = closure() if closure is not None else None
        for member in self.stepped:
            self.optimizers[member].step()
        return loss

    def zero_grad(self, set_to_none: bool = True) -> None:
        for optimizer in self.optimizers:
            optimizer.zero_grad(set_to_none)

    def state_dict(self) -> dict[str, Any]:  # type: ignore[override]
        return {"members": [optimizer.state_dict() for optimizer in self.optimizers]}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:  # type: ignore[override]
        for optimizer, state in zip(self.optimizers, state_dict["members"], strict=True):
            optimizer.load_state_dict(state)


class StackScheduler:
    """The members' own learning-rate schedulers (one schedule, each on its member's rates),
    stepped as one."""

    def __init__(self, optimizer: StackOptimizer, schedulers: list[Any]) -> None:
        self.optimizer = optimizer
        self.schedulers = schedulers

    def step(self) -> None:
        for scheduler in self.schedulers:
            scheduler.step()

    def state_dict(self) -> dict[str, Any]:
        return {"members": [scheduler.state_dict() for scheduler in self.schedulers]}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        for scheduler, state in zip(self.schedulers, state_dict["members"], strict=True):
            scheduler.load_state_dict(state)


def alike(model: nn.Module) -> str:
    """What members whose models run as one vmapped call share: the modules with their settings
    (dropout rates, activations and their constants: their repr) and every parameter's and
    buffer's name and shape."""
    tensors = [*model.named_parameters(), *model.named_buffers()]
    return repr(model) + repr([(name, tuple(t.shape), t.dtype) for name, t in tensors])


def stacked_logits(models: list[nn.Module], inputs: Tensor, batched: bool) -> Tensor:
    """The logits of alike `models` (`alike`) in one call: the base model run under `vmap` with
    each model's parameters and buffers stacked (gradients flow back to each model's own), on its
    own batch (`inputs[k]`, when `batched`) or all on one batch. Dropout draws each model's
    masks apart; BatchNorm's running statistics, updated on the stacked buffers, are copied back
    into each model's own."""
    base = models[0]
    named = [dict(m.named_parameters()) for m in models]
    params = {name: torch.stack([one[name] for one in named]) for name in named[0]}
    named = [dict(m.named_buffers()) for m in models]
    buffers = {name: torch.stack([one[name] for one in named]) for name in named[0]}

    def one(p: dict[str, Tensor], b: dict[str, Tensor], x: Tensor) -> Tensor:
        return functional_call(base, (p, b), (x,))

    logits = vmap(one, in_dims=(0, 0, 0 if batched else None), randomness="different")(
        params, buffers, inputs
    )
    if base.training and buffers:
        with torch.no_grad():
            for k, model in enumerate(models):
                for name, buffer in model.named_buffers():
                    buffer.copy_(buffers[name][k])
    return logits


class StackedClassifier(L.LightningModule):
    """Trains the `members` (each a run's own Classifier, built as its solo run builds it) as one.

    A training batch holds one batch per member, `[K, B, ...]` (each drawn in its member's own
    order, `actlab.data.stacked.StackedData`); each member computes its loss on its own batch, and
    the sum is what Lightning steps on: a member's gradients are those of its own loss alone. The
    validation and test batches are the same for every member. With `fused`, members whose models
    are alike (`kinds`) compute their logits in one vmapped call (`stacked_logits`). Each member's
    epoch metrics are kept in `metrics[k]` (named as a solo run logs them), for its own record and
    loggers (`actlab.callbacks.members`). A member leaves the stack (`leave`) when it diverged,
    failed or stopped early: it trains no more and its optimizer stops stepping; `failures` holds
    what a member's own step raised, for its record.
    """

    def __init__(self, members: list[Classifier], fused: bool = True) -> None:
        super().__init__()
        self.members = nn.ModuleList(members)
        self.fused = fused
        self.training_members = list(range(len(members)))
        self.tested_members = list(range(len(members)))
        self.metrics: list[dict[str, Tensor]] = [{} for _ in members]
        self.failures: dict[int, Exception] = {}
        kinds: dict[str, list[int]] = {}
        for k, member in enumerate(members):
            kinds.setdefault(alike(member.model) if fused else str(k), []).append(k)
        self.kinds = list(kinds.values())

    def logits(self, inputs: Tensor, members: list[int], batched: bool) -> dict[int, Tensor]:
        """Each of `members`' logits, on its own batch `inputs[k]` (`batched`) or all on `inputs`:
        members whose models are alike in one vmapped call (`stacked_logits`), the others one by
        one. A kind whose call fails (an operation `vmap` cannot batch) runs one by one from then
        on, said once in the log; a member whose own call fails leaves the stack (`failures`)."""
        logits: dict[int, Tensor] = {}
        for kind in self.kinds:
            present = [k for k in kind if k in members]
            if len(present) > 1:
                try:
                    index = torch.tensor(present, device=inputs.device)
                    stacked = stacked_logits(
                        [self.members[k].model for k in present],
                        inputs.index_select(0, index) if batched else inputs,
                        batched,
                    )
                    logits |= dict(zip(present, stacked.unbind(0), strict=True))
                    continue
                except Exception as error:
                    log.warning(
                        "Members %s run one by one: one vmapped call failed: %s", present, error
                    )
                    self.kinds = [[k] for k in kind] + [
                        other for other in self.kinds if other is not kind
                    ]
            for k in present:
                try:
                    logits[k] = self.members[k](inputs[k] if batched else inputs)
                except Exception as error:  # the member's own mistake: it leaves, the others go on
                    self.failures[k] = error
                    self.leave(k)
        return logits

    def models(self) -> Iterator[nn.Module]:
        """The models the fast path prepares: each member's where they run one by one; none where
        alike members run as one vmapped call (their weights and batches are stacked anew at
        each call, in a memory format of their own, and vmap cannot batch a change of it)."""
        return iter(()) if self.fused else (member.model for member in self.members)

    def leave(self, member: int, tested: bool = False) -> None:
        """Take `member` out of training (and, unless `tested`, out of the test)."""
        if member in self.training_members:
            self.training_members.remove(member)
        if not tested and member in self.tested_members:
            self.tested_members.remove(member)

    def training_step(
        self, batch: tuple[Tensor, Tensor], batch_idx: int
    ) -> dict[str, Tensor] | None:
        """Each training member's loss on its own batch; `loss`, what the optimizer steps on, is
        their sum; `losses` each member's (its penalty included) and `cross_entropy` each one's
        loss alone (what a solo run logs as `train/loss_step`), on the device."""
        inputs, labels = batch
        losses = torch.zeros(len(self.members), device=labels.device)
        cross_entropy = torch.zeros_like(losses)
        total: Tensor | None = None
        for k, logits in self.logits(inputs, list(self.training_members), batched=True).items():
            loss, penalty = self.members[k].training_loss(logits, labels[k])
            stepped = loss + penalty
            total = stepped if total is None else total + stepped
            losses[k] = stepped.detach()
            cross_entropy[k] = loss.detach()
        if total is None:
            return None
        return {"loss": total, "losses": losses, "cross_entropy": cross_entropy}

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        inputs, labels = batch
        for k, logits in self.logits(inputs, self.training_members, batched=False).items():
            self.members[k].score(logits, labels, self.members[k].val_scores)

    def test_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        inputs, labels = batch
        for k, logits in self.logits(inputs, self.tested_members, batched=False).items():
            self.members[k].score(logits, labels, self.members[k].test_scores)

    def _keep_epoch(self, stage: str, members: Iterable[int]) -> None:
        """Each of `members`' epoch metrics of `stage`, kept in `metrics`."""
        if self.trainer.sanity_checking:
            for member in self.members:
                member.val_scores.reset()
            return
        for k in members:
            member = self.members[k]
            self.metrics[k].update(member.epoch_metrics(stage, getattr(member, f"{stage}_scores")))

    def on_train_batch_end(self, outputs: Any, batch: Any, batch_idx: int) -> None:
        if self.trainer.is_last_batch:  # before the callbacks' epoch ends, as a solo run's
            self._keep_epoch("train", self.training_members)

    def on_train_epoch_end(self) -> None:
        self._keep_epoch("train", self.training_members)  # an epoch cut short

    def on_validation_epoch_end(self) -> None:
        self._keep_epoch("val", self.training_members)

    def on_test_epoch_end(self) -> None:
        self._keep_epoch("test", self.tested_members)

    def configure_optimizers(self) -> StackOptimizer | dict[str, Any]:
        optimizers, schedulers, schedule = [], [], {}
        for member in self.members:
            member.trainer = self.trainer  # for the total number of steps of its schedule
            built = member.configure_optimizers()
            if isinstance(built, Optimizer):
                optimizers.append(built)
                continue
            optimizers.append(built["optimizer"])
            schedule = built["lr_scheduler"]
            schedulers.append(schedule["scheduler"])
        optimizer = StackOptimizer(optimizers, self.training_members)
        if not schedulers:
            return optimizer
        scheduler = StackScheduler(optimizer, schedulers)
        return {"optimizer": optimizer, "lr_scheduler": {**schedule, "scheduler": scheduler}}

    def lr_scheduler_step(self, scheduler: Any, metric: Any) -> None:
        scheduler.step()

    def configure_gradient_clipping(
        self,
        optimizer: Optimizer,
        gradient_clip_val: float | None = None,
        gradient_clip_algorithm: str | None = None,
    ) -> None:
        """Clip each member's gradients apart (a norm over its own parameters), as its solo run
        clips them."""
        for member_optimizer in optimizer.optimizers:
            self.clip_gradients(member_optimizer, gradient_clip_val, gradient_clip_algorithm)
