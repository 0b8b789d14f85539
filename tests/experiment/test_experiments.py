"""Every `experiment=` and `study=` config: it composes, its sweep expands to the study's grid,
each job of the grid builds its model (nothing trains), and it takes `data=fashion_mnist`."""

import itertools

import pytest
import torch
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.utils import get_class, instantiate
from torch import nn

from actlab.config import CONFIG_DIR
from actlab.config.build import build_model

EXPERIMENTS = sorted(
    f"{group}={path.stem}"
    for group in ("experiment", "study")
    for path in (CONFIG_DIR / group).glob("*.yaml")
)

JOBS = {
    "experiment=activation_ranking": 360,
    "experiment=breast_cancer_activations": 12,
    "experiment=cifar10_fast": 1,
    "study=dubey2022": 216,
    "study=s1_mnist_convnet_activations": 4,
    "study=s2_cifar10_adaptive": 40,
    "study=s3_breast_cancer_schedulers": 4,
    "study=s3_mnist_activations": 5,
    "study=s3_mnist_init": 4,
    "study=s3_mnist_optimizers": 4,
    "study=s3_mnist_regularization": 7,
    "study=s4_mnist_cnn_activations": 6,
}
"""Runs in each study's grid (S2: 8 activations x 5 networks; the benchmark: 18 activations x 6
networks x 2 datasets)."""


def grid_axes(compose_run, *overrides: str) -> list[list[str]]:
    """The axes of the sweep's grid (`hydra.sweeper.params`), each as its overrides."""
    params = compose_run(*overrides).hydra.sweeper.params or {}  # none: one job
    parsed = OverridesParser.create().parse_overrides([f"{k}={v}" for k, v in params.items()])
    return [
        [f"{override.get_key_element()}={value}" for value in override.sweep_string_iterator()]
        for override in parsed
    ]


def sweep_jobs(compose_run, *overrides: str) -> list[list[str]]:
    """The overrides of each job of the sweep, as Hydra's basic sweeper expands
    `hydra.sweeper.params`: the cross product of every parameter's values."""
    return [list(job) for job in itertools.product(*grid_axes(compose_run, *overrides))]


def covering(jobs: list[list[str]], axes: list[list[str]], most: int = 12) -> list[list[str]]:
    """`jobs`, or where there are more than `most`, as few of them as take every value of every
    axis (job i takes the i-th value of each axis, round the axis): what a large grid's test
    composes, so that the fast tier stays fast (tests/models builds every model with every
    activation)."""
    if len(jobs) <= most:
        return jobs
    return [[axis[i % len(axis)] for axis in axes] for i in range(max(map(len, axes)))]


def test_every_experiment_is_listed_here() -> None:
    assert set(EXPERIMENTS) == set(JOBS)


@pytest.mark.parametrize("data", [None, pytest.param("fashion_mnist", marks=pytest.mark.slow)])
@pytest.mark.parametrize("name", EXPERIMENTS)
def test_each_job_of_the_grid_composes_and_builds(compose_run, name: str, data: str) -> None:
    chosen = [name, *([f"data={data}"] if data else [])]
    axes = grid_axes(compose_run, *chosen)
    if data and any(axis[0].split("=")[0].endswith("data") for axis in axes):
        pytest.skip(f"{name} sweeps the data itself")
    jobs = sweep_jobs(compose_run, *chosen)
    assert len(jobs) == JOBS[name]
    jobs = covering(jobs, axes)
    runs = set()
    for job in jobs:
        cfg = compose_run(*chosen, *job)
        datamodule = get_class(cfg.data._target_)
        if data:
            assert datamodule.__name__ == "FashionMNISTDataModule"
        with torch.device("meta"):
            model = build_model(cfg, datamodule.input_shape, datamodule.num_classes)
        assert isinstance(model, nn.Module)
        instantiate(cfg.optimizer)(model.parameters())
        runs.add(str({key: cfg[key] for key in cfg if key != "hydra"}))
    assert len(runs) == len(jobs), "two jobs of the grid would train the same run"


def job(compose_run, study: str, arm: str):
    return compose_run(f"study={study}", f"+study/{study}={arm}")


def test_s1_protocol_is_its_codes(compose_run) -> None:
    cfg = job(compose_run, "s1_mnist_convnet_activations", "leaky_relu")
    assert cfg.activation.negative_slope == 0.002
    # Adam at PyTorch's default betas (the listed 0.89 is not in S1's code), built every epoch.
    assert list(cfg.optimizer.betas) == [0.9, 0.999] and cfg.optimizer.lr == 0.006
    assert {"restart_optimizer", "last_batch_scores"} <= set(cfg.callbacks)
    assert (cfg.data.batch_size, cfg.data.val_fraction, cfg.seed) == (32, 0.08, 42)
    assert cfg.data.eval_batch_size == 32  # its plotted metric: the last batch of 32
    assert cfg.model._target_.endswith("ConvNet") and cfg.model.dropout == 0.15


@pytest.mark.parametrize(
    ("study", "scaling"),
    [
        ("s3_mnist_activations", "UnitRange"),
        ("s3_mnist_optimizers", "Normalize"),
        ("s3_mnist_regularization", "Normalize"),
        ("s3_mnist_init", "Normalize"),
        ("s4_mnist_cnn_activations", "UnitRange"),
    ],
)
def test_s3_and_s4_train_on_all_the_images_in_their_scaling_and_test_the_final_weights(
    compose_run, study: str, scaling: str
) -> None:
    cfg = compose_run(f"study={study}")
    assert cfg.data.scaling._target_ == f"actlab.data.scaling.{scaling}"
    if scaling == "Normalize":
        assert (cfg.data.scaling.mean, cfg.data.scaling.std) == (0.5, 0.5)  # pixels in [-1, 1]
    assert cfg.data.validation == "test" and cfg.test_weights == "last"


def test_s3_gradient_descent_takes_the_whole_training_split_per_step(compose_run) -> None:
    cfg = job(compose_run, "s3_mnist_optimizers", "gd")
    assert cfg.optimizer._target_ == "torch.optim.SGD" and cfg.optimizer.lr == 0.01
    assert cfg.data.batch_size >= 60000
    assert job(compose_run, "s3_mnist_optimizers", "adagrad").optimizer.lr == 0.01


def test_s3_scheduler_arms(compose_run) -> None:
    arms = {
        arm: job(compose_run, "s3_breast_cancer_schedulers", arm)
        for arm in ("step", "cyclic", "onecycle", "cosine_warm_restarts")
    }
    assert {arm: cfg.optimizer._target_ for arm, cfg in arms.items()} == {
        "step": "torch.optim.Adam",
        "cyclic": "torch.optim.Adam",
        "onecycle": "torch.optim.Adam",
        "cosine_warm_restarts": "torch.optim.SGD",
    }
    restarts = arms["cosine_warm_restarts"].scheduler.scheduler
    assert (restarts.T_0, restarts.T_mult, restarts.eta_min) == (5, 2, 1e-4)
    assert arms["onecycle"].scheduler.scheduler.max_lr == 0.01
    assert list(arms["step"].model.hidden) == [64, 32] and arms["step"].model.dropout == 0.5


def test_s3_regularization_arms_change_what_s3_changed(compose_run) -> None:
    def arm(name: str):
        return job(compose_run, "s3_mnist_regularization", name)

    none = arm("none")
    assert (none.loss.l1, none.loss.l2, none.model.dropout) == (0.0, 0.0, 0.0)
    assert none.optimizer.weight_decay == 0.0 and none.trainer.max_epochs == 10
    # As S3 ran them: L1 goes on from the none arm's model, L2 from L1's.
    for name, epochs in (("l1", 20), ("l2", 30)):
        phases = instantiate(arm(name).callbacks.regularization_phases)
        assert arm(name).trainer.max_epochs == epochs
        assert phases.phase_at(9) == {"l1": 0.0, "l2": 0.0, "weight_decay": 0.0}
        assert phases.phase_at(10) == {"l1": 0.001, "l2": 0.0, "weight_decay": 0.001}
    assert phases.phase_at(20) == {"l1": 0.0, "l2": 0.001, "weight_decay": 0.001}
    assert (arm("l1_fresh").loss.l1, arm("l1_fresh").optimizer.weight_decay) == (0.001, 0.001)
    assert (arm("l2_fresh").loss.l2, arm("l2_fresh").optimizer.weight_decay) == (0.001, 0.001)
    assert list(arm("dropout").model.hidden) == [500, 250] and arm("dropout").model.dropout == 0.5
    batchnorm = arm("batchnorm").model
    assert list(batchnorm.hidden) == [256, 128, 64] and batchnorm.batch_norm
    assert batchnorm.dropout == 0.5
    assert arm("dropout").optimizer.weight_decay == arm("batchnorm").optimizer.weight_decay == 0.001


def test_s4_selu_arm_brings_lecun_normal_and_alpha_dropout(compose_run) -> None:
    selu = job(compose_run, "s4_mnist_cnn_activations", "selu")
    relu = job(compose_run, "s4_mnist_cnn_activations", "relu")
    for cfg in (selu, relu):
        assert (cfg.trainer.gradient_clip_val, cfg.trainer.gradient_clip_algorithm) == (
            0.5,
            "value",
        )
    selu_model = build_model(selu, (1, 28, 28), 10)
    relu_model = build_model(relu, (1, 28, 28), 10)
    assert sum(isinstance(m, nn.AlphaDropout) for m in selu_model.modules()) == 2
    assert not any(isinstance(m, nn.AlphaDropout) for m in relu_model.modules())
    assert relu.init.weight._target_ == "torch.nn.init.xavier_uniform_"
    gelu = job(compose_run, "s4_mnist_cnn_activations", "gelu")
    assert gelu.activation.approximate == "tanh"
    assert (
        job(compose_run, "s4_mnist_cnn_activations", "leaky_relu").activation.negative_slope == 0.2
    )
