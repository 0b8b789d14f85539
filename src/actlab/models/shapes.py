"""Shapes a model derives from its input instead of having them typed in."""

import torch
from torch import nn
from torch.nn.modules.lazy import LazyModuleMixin


def output_features(module: nn.Module, input_shape: tuple[int, ...]) -> int:
    """Number of values `module` outputs for one input of `input_shape`.

    Found by a dry run on zeros in eval mode, so batch-norm statistics are left untouched.
    """
    was_training = module.training
    module.eval()
    with torch.no_grad():
        features = module(torch.zeros(1, *input_shape)).numel()
    module.train(was_training)
    return features


def materialize(model: nn.Module, input_shape: tuple[int, ...]) -> None:
    """Finish the lazy modules of `model` (adaptive activations) by one dry run: per-channel
    values get their size, so the optimizer and the parameter count see them, and the sizing
    hooks are gone before torch.compile traces the model."""
    if any(isinstance(module, LazyModuleMixin) for module in model.modules()):
        output_features(model, input_shape)
