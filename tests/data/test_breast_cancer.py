"""The breast-cancer data: S3's stratified 80/20 split, standardised with training statistics."""

import pytest
import torch

from actlab.data.breast_cancer import BreastCancerDataModule


def breast_cancer() -> BreastCancerDataModule:
    """The datamodule with the splits of conf/data/breast_cancer.yaml."""
    datamodule = BreastCancerDataModule(test_fraction=0.2, val_fraction=0.2, split_seed=42)
    datamodule.setup("fit")
    return datamodule


@pytest.fixture
def datamodule() -> BreastCancerDataModule:
    return breast_cancer()


def test_the_splits_are_stratified_with_a_fixed_seed(datamodule: BreastCancerDataModule) -> None:
    sizes = {name: len(labels) for name, (_, labels) in datamodule.splits.items()}
    assert sizes == {"train": 364, "val": 91, "test": 114}
    for _, labels in datamodule.splits.values():
        assert labels.float().mean().item() == pytest.approx(212 / 569, abs=0.02)
    assert torch.equal(breast_cancer().splits["test"][0], datamodule.splits["test"][0])


def test_malignant_is_the_positive_class(datamodule: BreastCancerDataModule) -> None:
    labels = torch.cat([labels for _, labels in datamodule.splits.values()])
    assert labels.sum().item() == 212  # 212 malignant, 357 benign tumours


def test_features_are_standardised_with_training_statistics_only(datamodule) -> None:
    x_train = datamodule.scaling(datamodule.splits["train"][0])
    x_test = datamodule.scaling(datamodule.splits["test"][0])
    assert torch.allclose(x_train.mean(0), torch.zeros(30), atol=1e-5)
    assert torch.allclose(x_train.std(0), torch.ones(30), atol=1e-4)
    assert not torch.allclose(x_test.mean(0), torch.zeros(30), atol=1e-2)
    assert datamodule.input_shape == (30,) and datamodule.num_classes == 2


def first_batch_labels(seed: int, **options: object) -> torch.Tensor:
    """The labels of the first training batch a run with `seed` draws."""
    datamodule = BreastCancerDataModule(test_fraction=0.2, val_fraction=0.2, **options)
    datamodule.setup("fit")
    torch.manual_seed(seed)
    _, labels = next(iter(datamodule.train_dataloader()))
    return labels


def test_the_data_order_follows_its_own_seed_where_one_is_set() -> None:
    # By default the run's seed draws the order; with shuffle_seed, that seed alone.
    assert not torch.equal(first_batch_labels(1), first_batch_labels(2))
    assert torch.equal(first_batch_labels(1, shuffle_seed=7), first_batch_labels(2, shuffle_seed=7))
    assert not torch.equal(
        first_batch_labels(1, shuffle_seed=7), first_batch_labels(1, shuffle_seed=8)
    )
    assert torch.equal(first_batch_labels(1, shuffle_seed=1), first_batch_labels(1))
