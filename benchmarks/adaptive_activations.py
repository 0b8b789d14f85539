"""Training-step time of S2's adaptive activations against ReLU in the same model, in one run.

    python benchmarks/adaptive_activations.py                  # LeNet and ResNet-18, eager
    python benchmarks/adaptive_activations.py --compile        # the same through torch.compile

Each model is built from its config as `python train.py` builds it, once per activation. The
activations take turns, round after round, so that drift of the machine falls on all alike; the
figure is the median time of one step (forward, backward, SGD update) on random data of the
dataset's shape, and its ratio to ReLU's.
"""

import argparse
import statistics
import time

import torch
from hydra import compose, initialize_config_dir
from torch import nn

from actlab.config import CONFIG_DIR
from actlab.config.build import build_model

MODELS = {"lenet": (1, 28, 28), "resnet": (3, 32, 32)}
"""Each model with the input shape it is measured on: Fashion-MNIST's and CIFAR-10's."""


def build(model: str, activation: str, shape: tuple[int, ...], compiled: bool) -> nn.Module:
    """`model` with `activation`, ready to train, as a run builds it."""
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("train", [f"model={model}", f"activation={activation}"])
    net = build_model(cfg, shape, num_classes=10)
    if compiled:
        net.compile()
    return net


def time_steps(net: nn.Module, optimizer: torch.optim.Optimizer, batch, steps: int) -> list[float]:
    """Seconds of each of `steps` training steps on `batch`."""
    inputs, labels = batch
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(net(inputs), labels).backward()
        optimizer.step()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--activations", nargs="+", default=["relu", "adaptive_mix"])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=5, help="steps per activation per round")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--compile", action="store_true", help="torch.compile every model")
    args = parser.parse_args()

    torch.manual_seed(0)
    mode = "compiled" if args.compile else "eager"
    threads = torch.get_num_threads()
    print(f"torch {torch.__version__}, {threads} threads, {mode}, batch {args.batch_size}")
    print(f"{'model':8} {'activation':14} {'ms/step':>9} {'vs ' + args.activations[0]:>9}")
    for model in args.models:
        shape = MODELS[model]
        batch = (torch.randn(args.batch_size, *shape), torch.randint(10, (args.batch_size,)))
        contenders = {}
        for activation in args.activations:
            net = build(model, activation, shape, args.compile)
            optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
            time_steps(net, optimizer, batch, args.warmup)
            contenders[activation] = (net, optimizer, [])
        for _ in range(args.rounds):
            for net, optimizer, times in contenders.values():
                times.extend(time_steps(net, optimizer, batch, args.steps))
        baseline = statistics.median(contenders[args.activations[0]][2])
        for activation, (_, _, times) in contenders.items():
            median = statistics.median(times)
            print(f"{model:8} {activation:14} {median * 1e3:9.1f} {median / baseline:9.3f}")


if __name__ == "__main__":
    main()
