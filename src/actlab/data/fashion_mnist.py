"""Fashion-MNIST, through torchvision's own reader of the IDX files."""

from torchvision.datasets import FashionMNIST

from actlab.data.mnist import MNISTDataModule


class FashionMNISTDataModule(MNISTDataModule):
    """Zalando's clothing images, 1x28x28, 10 classes, in MNIST's file format."""

    dataset_class = FashionMNIST
    display_name = "Fashion-MNIST"
    install_hint = "on Debian or Ubuntu: apt-get install dataset-fashion-mnist"
