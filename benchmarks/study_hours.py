"""How long a study's grid takes on this machine, from measured step times: each network of the
grid, at each dataset arm's batch size, trains a few steps through actlab's path on random data
of CIFAR's shape; the grid's hours follow from its epochs, steps per epoch and runs.

    python benchmarks/study_hours.py                       # study=dubey2022, 5 seeds
    python benchmarks/study_hours.py --steps 3 --warmup 1 ++model.width=0.0625   # a toy check

Only training steps are timed (as in throughput.py): validation, 5,000 images forward only each
epoch, adds a few percent. The grid's activations are timed as one (ReLU, or `--activation`):
benchmarks/activation_cost.py says what each adds on top.
"""

import argparse
import math

import torch
from harness import configs, quiet_lightning
from throughput import actlab_seconds

GRIDS = {
    "dubey2022": {
        "models": ["mobilenet", "vgg", "googlenet", "resnet50", "senet", "densenet"],
        "data": ["cifar10", "cifar100"],
        "train_size": 50_000,
        "activations": 18,
    },
}
"""Each study's networks, dataset arms (`+study/<name>/data=`), their training images (CIFAR-10's
and CIFAR-100's alike) and activations."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", default="dubey2022", choices=list(GRIDS))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--activation", default="relu")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("overrides", nargs="*", help="config overrides for every network")
    args = parser.parse_args()
    quiet_lightning()
    grid = GRIDS[args.study]
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(f"study={args.study} on {torch.cuda.get_device_name() if device == 'cuda' else 'CPU'}")
    print(f"{'model':10} {'data':9} {'batch':>5} {'ms/step':>8} {'min/epoch':>10}")
    total_hours = 0.0
    with configs() as compose:
        for model in grid["models"]:
            for data in grid["data"]:
                cfg = compose(
                    f"study={args.study}",
                    f"+study/{args.study}/activation={args.activation}",
                    f"+study/{args.study}/data={data}",
                    f"model={model}",
                    *args.overrides,
                )
                seconds = actlab_seconds(cfg, args.warmup, args.steps) / args.steps
                trained_on = round(grid["train_size"] * (1 - cfg.data.val_fraction))
                steps = math.ceil(trained_on / cfg.data.batch_size)
                epoch_min = seconds * steps / 60
                total_hours += epoch_min * cfg.trainer.max_epochs / 60
                print(f"{model:10} {data:9} {cfg.data.batch_size:5} {seconds * 1e3:8.1f} "
                      f"{epoch_min:10.2f}")  # fmt: skip
    runs = grid["activations"] * args.seeds
    print(
        f"one seed of each network and dataset: {total_hours:.1f} h; the grid "
        f"({grid['activations']} activations x {args.seeds} seeds, one run at a time): "
        f"{total_hours * runs:.0f} h on this {device}"
    )


if __name__ == "__main__":
    main()
