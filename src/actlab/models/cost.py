"""What a model costs: parameters, and multiply-accumulates per input image.

`python -m actlab.models.cost` prints the README's table: every option of the `model` group at
its defaults, and a few variants, for 3x32x32 input and 10 classes.
"""

from functools import partial

import torch
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from actlab.config import CONFIG_DIR

INPUT_SHAPE = (3, 32, 32)
VARIANTS_OF = {"resnet": [["depth=34"]], "densenet": [["growth_rate=12"]]}
"""Variants listed besides the options: ResNet-34 (ResNet-50 is `model=resnet50`); the paper's
CIFAR DenseNet-BC."""


def model_cost(model: nn.Module, input_shape: tuple[int, ...]) -> tuple[int, int]:
    """Parameters, and multiply-accumulates of one forward pass of one input (convolutions and
    matrix products, counted by torch's FlopCounterMode as two FLOPs each)."""
    was_training = model.training
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, *input_shape))
    model.train(was_training)
    return sum(p.numel() for p in model.parameters()), counter.get_total_flops() // 2


def cost_table() -> list[str]:
    """Markdown rows `| model=... | parameters | MACs |` for every model option and variant."""
    rows = []
    with initialize_config_dir(config_dir=str(CONFIG_DIR / "model"), version_base="1.3"):
        options = sorted(path.stem for path in (CONFIG_DIR / "model").glob("*.yaml"))
        for option in options:
            for overrides in [[], *VARIANTS_OF.get(option, [])]:
                model = instantiate(
                    compose(option, overrides=overrides),
                    input_shape=INPUT_SHAPE,
                    num_classes=10,
                    activation=partial(nn.ReLU),
                )
                params, macs = model_cost(model, INPUT_SHAPE)
                name = " ".join([f"model={option}", *(f"model.{o}" for o in overrides)])
                rows.append(f"| `{name}` | {params:,} | {macs / 1e6:,.1f} M |")
    return rows


if __name__ == "__main__":
    print("| model | parameters | MACs per 3x32x32 image |\n|---|---:|---:|")
    print("\n".join(cost_table()))
