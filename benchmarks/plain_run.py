"""The plain script `benchmarks/whole_run.py` times `python train.py` against: what a researcher
writes by hand for one epoch of LeNet-5 on Fashion-MNIST, with torch and torchvision only.

    python benchmarks/plain_run.py DATA_DIR      # reads DATA_DIR/FashionMNIST/raw

It does the same work as `python train.py data=fashion_mnist model=lenet trainer.max_epochs=1`:
holds the data in memory as uint8, splits 10% off for validation, normalises each batch with the
training part's mean and std, trains LeNet-5 (ReLU, zero-padded to 32x32) with Adam (lr 1e-3,
batch 128) for one epoch, then reports validation and test accuracy (batches of 1000).
"""

import sys

import torch
from torch import Tensor, nn
from torchvision.datasets import FashionMNIST


def lenet() -> nn.Module:
    return nn.Sequential(
        nn.ZeroPad2d(2),
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )  # fmt: skip


def accuracy(model: nn.Module, x: Tensor, y: Tensor, mean: Tensor, std: Tensor) -> float:
    model.eval()
    with torch.no_grad():
        correct = sum(
            (model((xb.float() - mean) / std).argmax(1) == yb).sum().item()
            for xb, yb in zip(x.split(1000), y.split(1000), strict=True)
        )
    model.train()
    return correct / len(y)


def main(data_dir: str) -> None:
    torch.manual_seed(42)
    train, test = (FashionMNIST(data_dir, train=flag) for flag in (True, False))
    x, y = train.data.unsqueeze(1), train.targets
    order = torch.randperm(len(y))
    val, fit = order[: len(y) // 10], order[len(y) // 10 :]
    std, mean = torch.std_mean(x[fit].float())
    model = lenet()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for index in fit[torch.randperm(len(fit))].split(128):
        loss = nn.functional.cross_entropy(model((x[index].float() - mean) / std), y[index])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    print(f"val acc {accuracy(model, x[val], y[val], mean, std):.4f}")
    x_test = test.data.unsqueeze(1)
    print(f"test acc {accuracy(model, x_test, test.targets, mean, std):.4f}")


if __name__ == "__main__":
    main(sys.argv[1])
