"""Which models can take which data: checked before anything is built or trained."""

from collections.abc import Sequence

from hydra import compose
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from hydra.utils import get_class

from actlab.utils.errors import UserError


class ModelDoesNotFitData(UserError, ValueError):
    """The chosen model cannot take the inputs the chosen dataset gives."""


def fits(model_class: type, input_shape: Sequence[int]) -> bool:
    """Whether a model class takes inputs of `input_shape`.

    A model declares the number of dimensions of one input it needs as `input_ndim` (3 for
    C x H x W images); None, or no declaration, means it takes any (an MLP flattens them).
    """
    input_ndim = getattr(model_class, "input_ndim", None)
    return input_ndim is None or input_ndim == len(input_shape)


def check_model_fits_data(model_class: type, input_shape: Sequence[int]) -> None:
    """Raise `ModelDoesNotFitData`, naming both choices and the models that fit, if they don't."""
    if fits(model_class, input_shape):
        return
    choices = HydraConfig.get().runtime.choices
    fitting = [
        option
        for option in GlobalHydra.instance().config_loader().get_group_options("model")
        if fits(get_class(compose(config_name=f"model/{option}").model._target_), input_shape)
    ]
    raise ModelDoesNotFitData(
        f"model={choices['model']} takes {model_class.input_ndim}-dimensional inputs "
        f"(C x H x W images), but data={choices['data']} gives inputs of shape "
        f"{tuple(input_shape)}. Models that fit data={choices['data']}: {', '.join(fitting)}"
    )
