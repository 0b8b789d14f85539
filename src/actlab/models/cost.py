"""What a model costs: parameters, and multiply-accumulates per input image (`actlab-model-cost`
prints the docs' table of them)."""

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def model_cost(model: nn.Module, input_shape: tuple[int, ...]) -> tuple[int, int]:
    """Parameters, and multiply-accumulates of one forward pass of one input (convolutions and
    matrix products, counted by torch's FlopCounterMode as two FLOPs each)."""
    was_training = model.training
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, *input_shape))
    model.train(was_training)
    return sum(p.numel() for p in model.parameters()), counter.get_total_flops() // 2
