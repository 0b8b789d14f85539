"""What each activation costs: its forward and backward time and the memory its autograd keeps
for the backward pass, on tensors of the sizes ResNet-18 and the MLP feed it, each as a ratio to
ReLU measured in the same run.

    python benchmarks/activation_cost.py                    # every option of conf/activation
    python benchmarks/activation_cost.py relu mish pau --batch 32 --rounds 3

Time: the median of `--rounds` rounds (the options take turns within each round) of the summed
forward, and forward + backward, over the tensors: ResNet-18's four stages' activation inputs at
batch `--batch` on 32x32 images (64x32x32 ... 512x4x4) and the MLP's hidden layer (128 units).
Memory: the bytes of the tensors autograd saves for the backward pass (each storage once), over
the bytes of the input; ReLU keeps its output, 1.0.
"""

import argparse
import statistics
import time
from collections.abc import Callable

import torch
from harness import take_turns
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate
from torch import Tensor, nn

from actlab.config import CONFIG_DIR


def shapes(batch: int) -> list[tuple[int, ...]]:
    """The inputs of ResNet-18's activations at 32x32 (one per stage) and of the MLP's."""
    return [(batch, 64, 32, 32), (batch, 128, 16, 16), (batch, 256, 8, 8), (batch, 512, 4, 4),
            (batch, 128)]  # fmt: skip


def saved_ratio(module: nn.Module, z: Tensor) -> float:
    """The bytes autograd keeps for `module`'s backward at input `z`, over `z`'s bytes."""
    storages: dict[int, int] = {}

    def pack(tensor: Tensor) -> Tensor:
        storage = tensor.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return tensor

    z = z.detach().requires_grad_(True)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        module(z)
    parameters = {p.untyped_storage().data_ptr() for p in module.parameters()}
    kept = sum(size for pointer, size in storages.items() if pointer not in parameters)
    return kept / (z.numel() * z.element_size())


def seconds(work: Callable[[], None], device: torch.device) -> float:
    """Wall seconds of `work`, the device's queue drained before and after."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    work()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="options of the activation group (all)")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    names = args.names or sorted(p.stem for p in (CONFIG_DIR / "activation").glob("*.yaml"))
    names = ["relu", *(name for name in names if name != "relu")]
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    generator = torch.Generator(device).manual_seed(0)
    inputs = [torch.randn(s, device=device, generator=generator) for s in shapes(args.batch)]
    with initialize_config_dir(config_dir=str(CONFIG_DIR / "activation"), version_base="1.3"):
        factories = {name: instantiate(compose(name)) for name in names}
    modules = {name: [factories[name]().to(device) for _ in inputs] for name in names}
    for sites in modules.values():  # per-channel values sized at a first pass
        for site, z in zip(sites, inputs, strict=True):
            site(z)

    def forward(name: str) -> float:
        def work() -> None:
            with torch.no_grad():
                for site, z in zip(modules[name], inputs, strict=True):
                    site(z)

        return seconds(work, device)

    def both(name: str) -> float:
        def work() -> None:
            for site, z in zip(modules[name], inputs, strict=True):
                site(z.requires_grad_(True)).sum().backward()

        return seconds(work, device)

    for run in (forward, both):
        run(names[0])  # warm-up
    times = {
        label: {n: statistics.median(t) for n, t in take_turns(names, args.rounds, run).items()}
        for label, run in (("forward", forward), ("both", both))
    }
    memory = {name: saved_ratio(modules[name][0], inputs[0]) for name in names}
    where = torch.cuda.get_device_name() if device.type == "cuda" else "CPU"
    print(f"torch {torch.__version__} on {where}, batch {args.batch}, {args.rounds} rounds")
    print("| activation | forward (x ReLU) | forward + backward (x ReLU) | kept (x input) |")
    print("|---|---:|---:|---:|")
    relu = {label: values["relu"] for label, values in times.items()}
    for name in sorted(names, key=lambda n: times["both"][n]):
        print(f"| `{name}` | {times['forward'][name] / relu['forward']:.2f} | "
              f"{times['both'][name] / relu['both']:.2f} | {memory[name]:.1f} |")  # fmt: skip
    print(f"ReLU itself: forward {relu['forward'] * 1e3:.1f} ms, forward + backward "
          f"{relu['both'] * 1e3:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
