"""Models of the `model` group, with every activation, on grey 28x28 and colour 32x32 images."""

import pytest
import torch
from helpers import ACTIVATIONS, TINY_MODEL, activation_factory, option, options
from hydra.utils import instantiate
from torch import nn
from torchvision.models import mobilenet_v2

from actlab.activations import ActivationFactory
from actlab.activations.mixture import Mixture
from actlab.models.cost import model_cost
from actlab.models.layers import GlobalAvgPool
from actlab.models.mobilenetv2 import InvertedResidual
from actlab.models.resnet import Bottleneck
from actlab.models.senet import SqueezeExcitation
from actlab.models.shapes import materialize

SHAPES = [(1, 28, 28), (3, 32, 32)]
NUM_CLASSES = 10


def build(
    model: str, activation: str | ActivationFactory, input_shape: tuple[int, ...], *overrides: str
) -> nn.Module:
    """A tiny model as `python train.py model=MODEL activation=ACTIVATION` builds it."""
    cfg = option("model", model, *(o.removeprefix("model.") for o in TINY_MODEL[model]))
    cfg.merge_with_dotlist(list(overrides))
    factory = activation_factory(activation) if isinstance(activation, str) else activation
    return instantiate(cfg, input_shape=input_shape, num_classes=NUM_CLASSES, activation=factory)


def activation_sites(model: nn.Module, activation_type: type[nn.Module]) -> list[nn.Module]:
    return [module for module in model.modules() if isinstance(module, activation_type)]


@pytest.mark.parametrize(
    ("activation", "shape"),
    [(name, SHAPES[index % 2]) for index, name in enumerate(ACTIVATIONS)],  # both, in turn
    ids=lambda value: "x".join(map(str, value)) if isinstance(value, tuple) else value,
)
@pytest.mark.parametrize("model_name", sorted(TINY_MODEL))
def test_forward_and_backward(model_name: str, activation: str, shape: tuple[int, ...]) -> None:
    """Every model with every activation, on grey 28x28 and colour 32x32 images in turn."""
    model = build(model_name, activation, shape)
    inputs = torch.randn(4, *shape)
    logits = model(inputs)
    assert logits.shape == (4, NUM_CLASSES)
    logits.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


@pytest.mark.parametrize("model_name", sorted(TINY_MODEL))
def test_every_activation_site_is_its_own_module(model_name: str) -> None:
    built: list[nn.Module] = []

    def factory() -> nn.Module:
        built.append(nn.PReLU())
        return built[-1]

    model = build(model_name, factory, (3, 32, 32))
    # A module used at two sites would be listed twice here, under two names.
    sites = [m for _, m in model.named_modules(remove_duplicate=False) if isinstance(m, nn.PReLU)]
    assert len(sites) >= 2
    assert len(sites) == len(built) == len({id(site) for site in sites})
    assert len({id(site.weight) for site in sites}) == len(sites)


@pytest.mark.parametrize("model_name", sorted(TINY_MODEL))
def test_each_prelu_site_adds_one_slope_parameter(model_name: str) -> None:
    with_prelu = build(model_name, "prelu", (1, 28, 28))
    with_relu = build(model_name, "relu", (1, 28, 28))
    extra = sum(p.numel() for p in with_prelu.parameters()) - sum(
        p.numel() for p in with_relu.parameters()
    )
    assert extra == len(activation_sites(with_prelu, nn.PReLU))


def test_convnet_derives_its_flattened_size_from_the_input_shape() -> None:
    unpadded = build("convnet", "relu", (1, 28, 28), "padding=0")
    padded = build("convnet", "relu", (1, 28, 28), "padding=1")
    # 28 -> 26 -> 13 -> 11 -> 5 -> 3 -> 1 without padding; 28 -> 14 -> 7 -> 3 with it.
    assert unpadded.classifier[0].in_features == 8 * 1 * 1
    assert padded.classifier[0].in_features == 8 * 3 * 3


def test_convnet_follows_s1_block_order_and_options() -> None:
    model = build("convnet", "elu", (1, 28, 28), "dropout=0.3", "batch_norm=false")
    block = model.features[0]
    assert [type(m) for m in block] == [nn.Conv2d, nn.Identity, nn.MaxPool2d, nn.ELU, nn.Dropout]
    assert block.drop.p == 0.3


def test_lenet_pads_28x28_inputs_to_the_32x32_it_was_designed_for() -> None:
    grey = build("lenet", "relu", (1, 28, 28))
    colour = build("lenet", "relu", (3, 32, 32))
    assert grey.classifier[0].in_features == colour.classifier[0].in_features == 4 * 5 * 5


def test_mlp_takes_tabular_features() -> None:
    model = build("mlp", "tanh", (30,), "hidden=[8,4]", "batch_norm=true", "dropout=0.5")
    assert model(torch.randn(5, 30)).shape == (5, NUM_CLASSES)
    assert sum(isinstance(m, nn.BatchNorm1d) for m in model) == 2


def test_keras_cnn_matches_the_keras_mnist_cnn() -> None:
    """Keras's MNIST CNN, as S4 trains it, has 1,199,882 parameters on 1x28x28 inputs."""
    model = build("keras_cnn", "relu", (1, 28, 28), "channels=[32,64]", "hidden=128")
    assert sum(p.numel() for p in model.parameters()) == 1_199_882
    assert [m.p for m in model.modules() if isinstance(m, nn.Dropout)] == [0.25, 0.5]
    with_norm = build("keras_cnn", "relu", (1, 28, 28), "batch_norm=true")
    norms = [type(m) for m in with_norm.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    assert norms == [nn.BatchNorm2d, nn.BatchNorm2d, nn.BatchNorm1d]


def test_building_a_model_leaves_batch_norm_statistics_untouched() -> None:
    model = build("convnet", "relu", (1, 28, 28))
    norm = model.features[0].norm
    assert norm.num_batches_tracked.item() == 0
    assert model.training


@pytest.mark.parametrize(
    ("depth", "parameters"),
    [(18, 11_173_962), (34, 21_282_122), (50, 23_520_842)],
)
def test_resnet_depths_match_the_reference_cifar_resnets(depth: int, parameters: int) -> None:
    """Parameter counts of the CIFAR ResNets of kuangliu/pytorch-cifar, for 10 classes."""
    model = build("resnet", "relu", (3, 32, 32), f"depth={depth}", "width=1.0")
    assert sum(p.numel() for p in model.parameters()) == parameters
    assert any(isinstance(m, Bottleneck) for m in model.modules()) == (depth >= 50)


def test_an_unknown_resnet_depth_names_the_valid_ones() -> None:
    with pytest.raises(Exception, match=r"ResNet depth must be one of \[18, 34, 50, 101, 152\]"):
        build("resnet", "relu", (3, 32, 32), "depth=20")


def test_densenet_121_layout_matches_the_reference_parameter_count() -> None:
    model = build("densenet", "relu", (3, 32, 32), "width=1.0", "blocks=[6,12,24,16]")
    assert sum(p.numel() for p in model.parameters()) == 6_956_298


def test_width_scales_every_family_down_for_quick_tests() -> None:
    full = build("googlenet", "relu", (3, 32, 32), "width=1.0")
    tiny = build("googlenet", "relu", (3, 32, 32))
    assert (
        sum(p.numel() for p in tiny.parameters()) < sum(p.numel() for p in full.parameters()) / 100
    )


@pytest.mark.parametrize("model_name", sorted(TINY_MODEL))
def test_per_channel_adaptive_activations_fit_every_model(model_name: str) -> None:
    shape = (30,) if model_name == "mlp" else (3, 32, 32)
    factory = activation_factory("adaptive_mix", "granularity=channel")
    model = build(model_name, factory, shape)
    materialize(model, shape)
    sites = activation_sites(model, Mixture)
    assert sites and all(site.weight.shape[0] == 3 and site.weight.ndim == 2 for site in sites)
    model(torch.randn(4, *shape)).sum().backward()
    assert all(site.weight.grad is not None for site in sites)


REFUSED_ON_CUDA = (
    nn.AvgPool3d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d, nn.AdaptiveMaxPool2d,
    nn.FractionalMaxPool2d, nn.FractionalMaxPool3d, nn.MaxUnpool1d, nn.MaxUnpool2d, nn.MaxUnpool3d,
    nn.ReflectionPad1d, nn.ReflectionPad2d, nn.ReflectionPad3d, nn.Upsample,
)  # fmt: skip
"""Layers whose CUDA backward torch.use_deterministic_algorithms(True) refuses (its docs' list)."""


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("model_name", sorted(TINY_MODEL))
def test_no_model_holds_a_layer_that_deterministic_mode_refuses_on_cuda(
    model_name: str, shape: tuple[int, ...]
) -> None:
    """`trainer.deterministic=true` on a GPU: no layer that deterministic mode refuses there."""
    model = build(model_name, "relu", shape)
    assert not [module for module in model.modules() if isinstance(module, REFUSED_ON_CUDA)]


def test_global_average_pooling_is_adaptive_average_pooling_to_one() -> None:
    x = torch.randn(3, 5, 7, 6)
    expected = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())(x)
    torch.testing.assert_close(GlobalAvgPool()(x), expected)
    channels_last = x.contiguous(memory_format=torch.channels_last)
    torch.testing.assert_close(GlobalAvgPool()(channels_last), expected)


def test_every_model_option_has_a_tiny_variant_so_every_test_here_runs_it() -> None:
    assert sorted(TINY_MODEL) == options("model")


@pytest.mark.parametrize(
    ("depth", "parameters", "macs"),
    [
        (11, 9_231_114, 152_769_536),
        (13, 9_416_010, 228_267_008),
        (16, 14_728_266, 313_201_664),
        (19, 20_040_522, 398_136_320),
    ],
)
def test_vgg_depths_match_the_benchmarks_cifar_vggs(depth: int, parameters: int, macs: int) -> None:
    """The counts of kuangliu/pytorch-cifar's VGG11-19 (the benchmark's models), 10 classes."""
    model = build("vgg", "relu", (3, 32, 32), f"depth={depth}", "width=1.0")
    assert model_cost(model, (3, 32, 32)) == (parameters, macs)


def test_vgg_without_batch_norm_and_an_unknown_depth() -> None:
    plain = build("vgg", "relu", (3, 32, 32), "width=1.0", "depth=16", "batch_norm=false")
    assert not [m for m in plain.modules() if isinstance(m, nn.BatchNorm2d)]
    assert sum(p.numel() for p in plain.parameters()) == 14_728_266 - 2 * 4224
    with pytest.raises(Exception, match=r"VGG depth must be one of \[11, 13, 16, 19\], got 15"):
        build("vgg", "relu", (3, 32, 32), "depth=15")


@pytest.mark.parametrize("width", [1.0, 0.5, 1.4])
def test_mobilenetv2_is_torchvisions_at_cifar_strides(width: float) -> None:
    """The same parameters as torchvision's MobileNetV2 at each width multiplier, and the same
    multiply-accumulates once its stem and second stage are given CIFAR's stride 1."""
    ours = build("mobilenetv2", "relu", (3, 32, 32), f"width={width}")
    reference = mobilenet_v2(num_classes=10, width_mult=width)
    reference.features[0][0].stride = (1, 1)
    reference.features[2].conv[1][0].stride = (1, 1)  # the first block of the second stage
    assert model_cost(ours, (3, 32, 32)) == model_cost(reference, (3, 32, 32))
    residuals = [m.residual for m in ours.modules() if isinstance(m, InvertedResidual)]
    assert residuals.count(True) == 10  # where a block keeps its shape, as the paper's


def test_mobilenet_is_the_benchmarks_mobilenet() -> None:
    """kuangliu/pytorch-cifar's MobileNet (v1; the benchmark's): its parameters and MACs."""
    model = build("mobilenet", "relu", (3, 32, 32), "width=1.0")
    assert model_cost(model, (3, 32, 32)) == (3_217_226, 46_354_432)


def test_senet_is_the_benchmarks_senet18() -> None:
    """kuangliu/pytorch-cifar's SENet18 (the benchmark's): its parameters and MACs."""
    model = build("senet", "relu", (3, 32, 32), "width=1.0")
    assert model_cost(model, (3, 32, 32)) == (11_260_354, 555_509_760)


def test_the_se_gates_take_the_models_activation_unless_given_their_own() -> None:
    same = build("senet", "gelu", (3, 32, 32))
    gates = [m.act for m in same.modules() if isinstance(m, SqueezeExcitation)]
    assert len(gates) == 8 and all(isinstance(g, nn.GELU) for g in gates)
    own = build("senet", "gelu", (3, 32, 32), "gate_activation=torch.nn.ReLU")
    gates = [m.act for m in own.modules() if isinstance(m, SqueezeExcitation)]
    assert len(gates) == 8 and all(isinstance(g, nn.ReLU) for g in gates)
    others = [m for m in own.modules() if isinstance(m, nn.GELU)]
    assert len(others) == 1 + 2 * 8  # the stem's and two per block
