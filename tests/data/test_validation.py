"""data.validation: what each epoch's end evaluates, and what is left to train on."""

import pytest
import torch

from actlab.data.breast_cancer import BreastCancerDataModule
from actlab.utils.errors import ConfigError


def prepared(**options: object) -> BreastCancerDataModule:
    datamodule = BreastCancerDataModule(test_fraction=0.2, val_fraction=0.2, **options)
    datamodule.setup("fit")
    return datamodule


def sizes(datamodule: BreastCancerDataModule) -> dict[str, int]:
    return {name: len(labels) for name, (_, labels) in datamodule.splits.items()}


def test_split_validates_on_a_part_cut_from_the_training_data() -> None:
    datamodule = prepared(validation="split")
    assert sizes(datamodule) == {"train": 364, "val": 91, "test": 114}
    assert sum(len(labels) for _, labels in datamodule.val_dataloader()) == 91


def test_test_validates_on_the_test_set_and_trains_on_all_the_training_data() -> None:
    datamodule = prepared(validation="test")
    assert sizes(datamodule) == {"train": 455, "test": 114, "val": 114}
    validated = torch.cat([labels for _, labels in datamodule.val_dataloader()])
    tested = torch.cat([labels for _, labels in datamodule.test_dataloader()])
    assert torch.equal(validated, tested)


def test_none_validates_nothing_and_trains_on_all_the_training_data() -> None:
    datamodule = prepared(validation="none")
    assert sizes(datamodule) == {"train": 455, "test": 114}
    assert datamodule.val_dataloader() == []
    assert sum(len(labels) for _, labels in datamodule.train_dataloader()) == 455


def test_an_unknown_validation_is_refused_listing_the_choices() -> None:
    with pytest.raises(ConfigError) as error:
        BreastCancerDataModule(validation="val")
    assert str(error.value).startswith("data.validation='val' is not one of split (")
    assert "; test (the test set" in str(error.value) and "; none (nothing" in str(error.value)
