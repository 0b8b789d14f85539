"""`actlab-model-cost`: the table of what the models cost (docs/config-groups.md), every option
of the `model` group at its defaults and a few variants, for 3x32x32 input and 10 classes."""

from functools import partial

from hydra import compose, initialize_config_dir
from hydra.utils import instantiate
from torch import nn

from actlab.config import CONFIG_DIR
from actlab.models.cost import model_cost

INPUT_SHAPE = (3, 32, 32)
VARIANTS_OF = {
    "resnet": [["depth=34"]],
    "densenet": [["growth_rate=12"]],
    "vgg": [["depth=11"], ["depth=19"], ["batch_norm=false"]],
    "mobilenetv2": [["width=0.5"]],
}
"""Variants listed besides the options: ResNet-34 (ResNet-50 is `model=resnet50`); the paper's
CIFAR DenseNet-BC; VGG-11 and -19, VGG-16 without batch norm; MobileNetV2 at half width."""


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


def main() -> None:
    """Print the table."""
    print("| model | parameters | MACs per 3x32x32 image |\n|---|---:|---:|")
    print("\n".join(cost_table()))


if __name__ == "__main__":
    main()
