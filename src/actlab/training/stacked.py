"""A stack: the Classifiers of several runs of a sweep (its members) trained as one LightningModule
in one Trainer, each on its own batches, with its own optimizer and learning-rate schedule."""

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import lightning as L
import torch
from torch import Tensor, nn
from torch.func import functional_call, vmap
from torch.optim import Optimizer

from actlab.data.stacked import StackedData
from actlab.storage.checkpoints import CheckpointIO
from actlab.training.classifier import Classifier, loggers_write
from actlab.utils.random_state import torch_random_state

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


def member_key(member: int, name: str) -> str:
    """What a stack logs member `member`'s metric `name` as (`actlab.loggers.members`)."""
    return f"{member}/{name}"


RandomState = dict[str, Any]
"""Where a member draws its random numbers from: torch's CPU state (`cpu`), its CUDA device's
(`cuda`; None before CUDA draws anything: then a generator seeded with `seed`, as
`seed_everything` seeds CUDA's), as a solo run's checkpoint keeps them under `rng_states`."""


def random_state(seed: int) -> RandomState:
    """torch's random state now, for a member seeded with `seed`."""
    return {**torch_random_state(), "seed": seed}


@contextmanager
def drawing_from(state: RandomState) -> Iterator[None]:
    """The block draws its random numbers (dropout, augmentation) from `state`, which then holds
    where it stopped; torch's own state is left as it was."""
    cuda = torch.cuda.is_initialized()
    devices = [torch.cuda.current_device()] if cuda else []
    with torch.random.fork_rng(devices=devices):
        torch.set_rng_state(state["cpu"])
        if cuda and state["cuda"] is None:
            torch.cuda.manual_seed(state["seed"])
        elif cuda:
            torch.cuda.set_rng_state(state["cuda"])
        yield
        state.update(random_state(state["seed"]))


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
    are alike (`kinds`) compute their logits in one vmapped call (`stacked_logits`), whose
    dropout draws apart from the solo runs'; else each member draws its random numbers (dropout,
    and its batches' augmentation: `actlab.data.stacked`) from its own `random_states[k]`, the
    numbers its solo run draws (None: from torch's own state). Each member's
    metrics are logged through Lightning as `<k>/<name>` (`member_key`), for its own callbacks
    (`actlab.callbacks.members`) and loggers (`actlab.loggers.members`). A member leaves the stack
    (`leave`) when it diverged, failed or stopped early: it trains no more and its optimizer stops
    stepping; `on_leave(k, error)` is told what ended a member that failed.
    """

    def __init__(
        self,
        members: list[Classifier],
        random_states: list[RandomState | None] | None = None,
        fused: bool = False,
        on_leave: Callable[[int, Exception], None] | None = None,
    ) -> None:
        super().__init__()
        self.members = nn.ModuleList(members)
        self.random_states = random_states or [None] * len(members)
        self.fused = fused
        self.training_members = list(range(len(members)))
        self.tested_members = list(range(len(members)))
        self.on_leave = on_leave
        kinds: dict[str, list[int]] = {}
        for k, member in enumerate(members):
            kinds.setdefault(alike(member.model) if fused else str(k), []).append(k)
        self.kinds = list(kinds.values())

    def logits(self, inputs: Tensor, members: list[int], batched: bool) -> dict[int, Tensor]:
        """Each of `members`' logits, on its own batch `inputs[k]` (`batched`) or all on `inputs`:
        members whose models are alike in one vmapped call (`stacked_logits`), the others one by
        one. A kind whose call fails (an operation `vmap` cannot batch) runs one by one from then
        on, said once in the log; a member whose own call fails leaves the stack (`leave`)."""
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
                    with self.drawing_as(k):
                        logits[k] = self.members[k](inputs[k] if batched else inputs)
                except Exception as error:  # the member's own mistake: it leaves, the others go on
                    self.leave(k, error=error)
        return logits

    def drawing_as(self, member: int) -> AbstractContextManager[None]:
        """While training, the block draws random numbers as `member`'s solo run would
        (`drawing_from`)."""
        state = self.random_states[member]
        return nullcontext() if state is None or not self.training else drawing_from(state)

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        checkpoint["random_states"] = self.random_states

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        for k, state in enumerate(checkpoint.get("random_states") or []):
            if state is not None and self.random_states[k] is not None:
                self.random_states[k].update(cpu=state["cpu"], cuda=state["cuda"])

    def models(self) -> Iterator[nn.Module]:
        """The models the fast path prepares: each member's where they run one by one; none where
        alike members run as one vmapped call (their weights and batches are stacked anew at
        each call, in a memory format of their own, and vmap cannot batch a change of it)."""
        return iter(()) if self.fused else (member.model for member in self.members)

    def leave(self, member: int, error: Exception | None = None, tested: bool = False) -> None:
        """Take `member` out of training and, unless `tested` (it stopped early), out of the test;
        `on_leave` is told the `error` that ended it."""
        if member in self.training_members:
            self.training_members.remove(member)
        if not tested and member in self.tested_members:
            self.tested_members.remove(member)
        if error is not None and self.on_leave is not None:
            self.on_leave(member, error)

    def training_step(
        self, batch: tuple[Tensor, Tensor], batch_idx: int
    ) -> dict[str, Tensor] | None:
        """Each training member's loss on its own batch; `loss`, what the optimizer steps on, is
        their sum; `<k>/loss` member k's (its penalty included), as Lightning hands a solo run's
        loss to its callbacks (divided by `accumulate_grad_batches`). Each member's loss alone is
        logged as its solo run logs it (`train/loss_step`, at logging steps). No member left to
        train: None, and the fit stops."""
        inputs, labels = batch
        outputs: dict[str, Tensor] = {}
        logging_step = loggers_write(self)
        for k, logits in self.logits(inputs, list(self.training_members), batched=True).items():
            loss, penalty = self.members[k].training_loss(logits, labels[k])
            outputs[member_key(k, "loss")] = loss + penalty
            if logging_step:
                self.log(member_key(k, "train/loss_step"), loss, on_step=True, on_epoch=False)
        if not outputs:
            self.trainer.should_stop = True
            return None
        each = self.trainer.accumulate_grad_batches
        total = torch.stack(list(outputs.values())).sum()
        return {"loss": total, **{key: loss.detach() / each for key, loss in outputs.items()}}

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        inputs, labels = batch
        for k, logits in self.logits(inputs, self.training_members, batched=False).items():
            self.members[k].score(logits, labels, self.members[k].val_scores)

    def test_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        inputs, labels = batch
        for k, logits in self.logits(inputs, self.tested_members, batched=False).items():
            self.members[k].score(logits, labels, self.members[k].test_scores)

    def _keep_epoch(self, stage: str, members: Iterable[int]) -> None:
        """Each of `members`' epoch metrics of `stage`, logged as its solo run logs them (once, at
        the epoch's end) under its `member_key`."""
        if self.trainer.sanity_checking:
            for member in self.members:
                member.val_scores.reset()
            return
        for k in members:
            member = self.members[k]
            metrics = member.epoch_metrics(stage, getattr(member, f"{stage}_scores"))
            for name, value in metrics.items():
                self.log(member_key(k, name), value, on_step=False, on_epoch=True)

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


MONITOR = "'monitor': '"
"""Where a callback's state key names what it monitors (Lightning's `_generate_state_key`)."""


def solo_key(key: str, k: int) -> str:
    """The state key of member `k`'s callback `key` (`actlab.callbacks.members.OfMember`), as its
    solo run's checkpoint keys it: without the member's prefix, nor that of what it monitors."""
    return key.removeprefix(member_key(k, "")).replace(f"{MONITOR}{k}/", MONITOR)


def solo_monitor(state: dict[str, Any], k: int) -> dict[str, Any]:
    """The monitored metric in member `k`'s callback `state`, as its solo run's names it."""
    monitor = state.get("monitor")
    return {"monitor": monitor.removeprefix(f"{k}/")} if isinstance(monitor, str) else {}


STACKED_DATA = StackedData.__qualname__
"""Where Lightning keeps a stack's data module's state (its members' batch orders)."""

OWN_PARTS = (
    "state_dict",
    "optimizer_states",
    "lr_schedulers",
    "callbacks",
    STACKED_DATA,
    "random_states",
)
"""What of a stack's checkpoint holds each member's own part (the rest the members share)."""


class StackCheckpointIO(CheckpointIO):
    """The checkpoints of a stack's members, through Lightning's checkpointing: Lightning dumps
    the stack's whole checkpoint, and a path in member k's run folder (`run_dirs[k]`) gets member
    k's own part, a solo run's checkpoint (`member_checkpoint`); `MEMBERS` loads the members'
    own checkpoints (`saved`) merged into the stack's (`stack_checkpoint`) to resume from.
    `data` is the class name of the members' data module."""

    MEMBERS = "<the members' own checkpoints>"

    def __init__(
        self,
        run_dirs: list[Path],
        data: str,
        saved: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__()
        self.run_dirs = [d.resolve() for d in run_dirs]
        self.data = data
        self.saved = saved

    def save_checkpoint(
        self, checkpoint: dict[str, Any], path: str | Path, storage_options: Any | None = None
    ) -> None:
        folder = Path(path).resolve()
        member = next((k for k, d in enumerate(self.run_dirs) if folder.is_relative_to(d)), None)
        if member is not None:
            checkpoint = self.member_checkpoint(checkpoint, member)
        super().save_checkpoint(checkpoint, path, storage_options)

    def load_checkpoint(
        self, path: str | Path, map_location: Any | None = None, weights_only: bool | None = None
    ) -> dict[str, Any]:
        if str(path) == self.MEMBERS and self.saved is not None:
            return self.stack_checkpoint(self.saved)
        return super().load_checkpoint(path, map_location, weights_only)

    def member_checkpoint(self, checkpoint: dict[str, Any], k: int) -> dict[str, Any]:
        """Member `k`'s part of the stack's `checkpoint`, as its solo run's checkpoint holds it:
        its weights, optimizer and schedule, its callbacks', batch order's and random states;
        what the members share (the loops, the epoch and step, the precision's state) as it is."""
        prefix = f"members.{k}."
        one = {key: value for key, value in checkpoint.items() if key not in OWN_PARTS}
        one["state_dict"] = {
            name.removeprefix(prefix): value
            for name, value in checkpoint["state_dict"].items()
            if name.startswith(prefix)
        }
        for key in ("optimizer_states", "lr_schedulers"):
            if key in checkpoint:
                one[key] = [state["members"][k] for state in checkpoint[key]]
        if "callbacks" in checkpoint:
            one["callbacks"] = {
                solo_key(key, k): {**state, **solo_monitor(state, k)}
                for key, state in checkpoint["callbacks"].items()
                if key.startswith(member_key(k, ""))
            }
        if STACKED_DATA in checkpoint:
            one[self.data] = {"shuffle": checkpoint[STACKED_DATA]["shuffle"][k]}
        states = checkpoint.get("random_states") or []
        if k < len(states) and states[k] is not None:  # as RandomState keeps a solo run's
            one["rng_states"] = {"cpu": states[k]["cpu"], "cuda": states[k]["cuda"]}
        return one

    def stack_checkpoint(self, saved: list[dict[str, Any]]) -> dict[str, Any]:
        """The stack's checkpoint made of its members' own (`member_checkpoint`'s inverse; they
        are at one step)."""
        own = {*OWN_PARTS, self.data, "rng_states"}
        stack = {key: value for key, value in saved[0].items() if key not in own}
        stack["state_dict"] = {
            f"members.{k}.{name}": value
            for k, one in enumerate(saved)
            for name, value in one["state_dict"].items()
        }
        for key in ("optimizer_states", "lr_schedulers"):
            if key in saved[0]:
                stack[key] = [
                    {"members": [one[key][i] for one in saved]} for i in range(len(saved[0][key]))
                ]
        stack["callbacks"] = {
            member_key(k, key.replace(MONITOR, f"{MONITOR}{k}/")): state
            for k, one in enumerate(saved)
            for key, state in one.get("callbacks", {}).items()
        }
        shuffles = [one.get(self.data, {}).get("shuffle") for one in saved]
        if all(shuffle is not None for shuffle in shuffles):
            stack[STACKED_DATA] = {"shuffle": shuffles}
        stack["random_states"] = [one.get("rng_states") for one in saved]
        return stack
