"""The Wisconsin diagnostic breast-cancer data, bundled with scikit-learn."""

import torch
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from torch import Tensor

from actlab.data.in_memory import InMemoryDataModule


class BreastCancerDataModule(InMemoryDataModule):
    """569 tumours, 30 features, 2 classes (malignant = 1, as in S3; scikit-learn codes it 0).

    The test set is a stratified held-out part (`test_fraction`, S3 uses 0.2 with seed 42); the
    validation part is then split off the rest.
    """

    input_shape = (30,)
    num_classes = 2

    def __init__(self, test_fraction: float = 0.2, **in_memory: object) -> None:
        super().__init__(**in_memory)
        self.test_fraction = test_fraction

    def load(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        features, benign = load_breast_cancer(return_X_y=True)
        malignant = 1 - benign
        x_train, x_test, y_train, y_test = train_test_split(
            features,
            malignant,
            test_size=self.test_fraction,
            stratify=malignant,
            random_state=self.split_seed,
        )
        return (
            torch.tensor(x_train, dtype=torch.float32),
            torch.tensor(y_train, dtype=torch.int64),
            torch.tensor(x_test, dtype=torch.float32),
            torch.tensor(y_test, dtype=torch.int64),
        )
