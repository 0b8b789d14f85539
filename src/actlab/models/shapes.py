"""Shapes a model derives from its input instead of having them typed in."""

import torch
from torch import nn


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
