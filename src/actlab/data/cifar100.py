"""CIFAR-100, in CIFAR-10's format, through torchvision's own reader (its 100 fine labels)."""

from torchvision.datasets import CIFAR100

from actlab.data.cifar10 import CIFAR10DataModule


class CIFAR100DataModule(CIFAR10DataModule):
    """Colour images, 3x32x32, 100 classes (the fine labels); the official test set is the test
    set. Found as `cifar-100-python/` or `cifar-100-python.tar.gz`."""

    dataset_class = CIFAR100
    display_name = "CIFAR-100"
    num_classes = 100
