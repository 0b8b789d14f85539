"""The data/scaling group: what the model sees of the pixels and features, per option."""

from pathlib import Path

import pytest
import torch
from helpers import DATASETS
from hydra.utils import instantiate

from actlab.data.breast_cancer import BreastCancerDataModule
from actlab.data.mnist import MNISTDataModule
from actlab.data.scaling import Normalize, Standardize, UnitRange
from actlab.utils.errors import ConfigError


def scaled_training_inputs(datamodule) -> torch.Tensor:
    """The whole training part as the model gets it."""
    datamodule.prepare_data()
    datamodule.setup("fit")
    return datamodule.on_after_batch_transfer((datamodule.splits["train"][0],), 0)[0]


def test_standardize_gives_each_channel_or_feature_zero_mean_and_unit_std(data_dir: Path) -> None:
    for datamodule in (
        MNISTDataModule(data_dir=str(data_dir), scaling=Standardize()),
        BreastCancerDataModule(scaling=Standardize()),
    ):
        inputs = scaled_training_inputs(datamodule)
        dims = [dim for dim in range(inputs.ndim) if dim != 1]
        std, mean = torch.std_mean(inputs, dim=dims)
        assert torch.allclose(mean, torch.zeros_like(mean), atol=1e-4)
        assert torch.allclose(std, torch.ones_like(std), atol=1e-4)


def test_unit_divides_pixels_by_255_as_torchvision_to_tensor_does(data_dir: Path) -> None:
    datamodule = MNISTDataModule(data_dir=str(data_dir), scaling=UnitRange())
    inputs = scaled_training_inputs(datamodule)
    pixels = datamodule.splits["train"][0]
    assert torch.equal(inputs, pixels.float() / 255)
    assert pixels.dtype == torch.uint8 and inputs.dtype == torch.float32


def test_unit_scales_table_features_into_0_1_by_the_training_part() -> None:
    inputs = scaled_training_inputs(BreastCancerDataModule(scaling=UnitRange()))
    assert torch.allclose(inputs.amin(0), torch.zeros(30)) and torch.allclose(
        inputs.amax(0), torch.ones(30)
    )


def test_normalize_is_to_tensor_then_normalize_with_fixed_values(data_dir: Path) -> None:
    half = MNISTDataModule(data_dir=str(data_dir), scaling=Normalize(0.5, 0.5))
    inputs = scaled_training_inputs(half)
    pixels = half.splits["train"][0].float() / 255
    assert torch.allclose(inputs, (pixels - 0.5) / 0.5, atol=1e-6)
    assert inputs.min() >= -1 and inputs.max() <= 1 and inputs.min() < -0.99
    mnist = MNISTDataModule(data_dir=str(data_dir), scaling=Normalize([0.1307], [0.3081]))
    assert torch.allclose(scaled_training_inputs(mnist), (pixels - 0.1307) / 0.3081, atol=1e-6)


def test_normalize_refuses_a_std_of_zero_and_values_that_do_not_fit_the_channels() -> None:
    with pytest.raises(ConfigError, match=r"data.scaling.std=0 .* every std must be > 0"):
        Normalize(0.5, 0)
    with pytest.raises(ConfigError, match=r"mean=\[0.1, 0.2\] does not fit inputs of 30 channels"):
        scaled_training_inputs(BreastCancerDataModule(scaling=Normalize([0.1, 0.2], 1.0)))


@pytest.mark.parametrize("option", ["standardize", "unit", "normalize"])
@pytest.mark.parametrize("data", DATASETS)
def test_every_scaling_option_composes_with_every_dataset(compose_run, data, option) -> None:
    cfg = compose_run(f"data={data}", f"data/scaling={option}")
    datamodule = instantiate(cfg.data)
    assert type(datamodule.scaling).__name__ == cfg.data.scaling._target_.rsplit(".", 1)[1]
