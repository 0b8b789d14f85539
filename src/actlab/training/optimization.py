"""A run's optimizer and schedule: the weights in a parameter group named `weights` and the
learnable activations' parameters in one named `activations` (no weight decay, their own
learning-rate scale), and a scheduler fitted to the run (its total steps, absolute learning rates
scaled per group). Whatever changes a group later (a study's regularization phases, the
scheduler) finds it by its name (`groups_named`)."""

import inspect
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from torch import nn
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler

from actlab.activations import activation_parameters

WEIGHTS, ACTIVATIONS = "weights", "activations"
"""The names of the parameter groups: LearningRateMonitor logs `lr-<optimizer>/<name>`."""

ABSOLUTE_LRS = ("base_lr", "max_lr")
"""Scheduler arguments that set learning rates outright (CyclicLR, OneCycleLR), not as factors."""

OptimizerFactory = Callable[[Iterable[dict[str, Any]]], Optimizer]


def build_optimizer(
    make: OptimizerFactory, model: nn.Module, activation_lr_scale: float
) -> Optimizer:
    """The optimizer of `make` over `model`: its `weights` group, and (where it has any) the
    `activations` group of its learnable activations' parameters, without weight decay and with
    the learning rate times `activation_lr_scale`."""
    activation = activation_parameters(model)
    in_activation = {id(param) for param in activation}
    weights = [param for param in model.parameters() if id(param) not in in_activation]
    groups: list[dict[str, Any]] = [{"name": WEIGHTS, "params": weights}]
    if activation:
        groups.append({"name": ACTIVATIONS, "params": activation, "weight_decay": 0.0})
    optimizer = make(groups)
    for group in groups_named(optimizer, ACTIVATIONS):
        group["lr"] *= activation_lr_scale
    return optimizer


def groups_named(optimizer: Optimizer, name: str) -> list[dict[str, Any]]:
    """The parameter groups of `optimizer` named `name` (none where it has no such group)."""
    return [group for group in optimizer.param_groups if group.get("name") == name]


def fit_scheduler(
    make: partial,
    optimizer: Optimizer,
    total_steps: Callable[[], int],
    activation_lr_scale: float,
) -> LRScheduler:
    """The scheduler of `make` for this run: one that takes `total_steps` and is not given it
    gets the run's number of optimizer steps (`total_steps()`, asked only then); absolute
    learning rates (`base_lr`, `max_lr`) are scaled per parameter group as the groups' own
    learning rates are, so that the activations keep their `activation_lr_scale`."""
    accepted = inspect.signature(make).parameters
    extra: dict[str, Any] = {}
    if "total_steps" in accepted and make.keywords.get("total_steps") is None:
        extra["total_steps"] = total_steps()
    scales = [
        activation_lr_scale if group.get("name") == ACTIVATIONS else 1.0
        for group in optimizer.param_groups
    ]
    for name in ABSOLUTE_LRS:
        value = make.keywords.get(name)
        if isinstance(value, int | float):
            extra[name] = [value * scale for scale in scales]
    return make(optimizer, **extra)
