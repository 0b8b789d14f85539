"""`callbacks=diagnostics`: gradient norms, activation statistics and dead units, per layer."""

import copy
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import torch
from helpers import FAST, TINY_MODEL, quiet_trainer, run_cli
from lightning.pytorch.loggers import TensorBoardLogger
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch import nn

from actlab.callbacks.diagnostics import Diagnostics, dead_fraction, histogram
from actlab.data.batches import TensorBatches
from actlab.training.classifier import Classifier


def test_dead_fraction_counts_units_silent_on_every_sample() -> None:
    inputs = torch.randn(32, 6, 5, 5)
    assert dead_fraction(torch.relu(-inputs.abs() - 1)) == 1.0
    assert dead_fraction(inputs) == 0.0
    half = torch.relu(inputs)
    half[:, :3] = 0
    assert dead_fraction(half) == 0.5


def test_a_dead_layer_and_a_live_one_through_a_real_fit(tmp_path: Path) -> None:
    torch.manual_seed(0)
    dead = nn.Linear(3, 4)
    nn.init.zeros_(dead.weight)
    nn.init.constant_(dead.bias, -1.0)  # ReLU of -1 for every input: every unit dead
    model = nn.Sequential(dead, nn.ReLU(), nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 2))
    inputs, labels = torch.randn(16, 3), torch.randint(2, (16,))
    reference = copy.deepcopy(model)
    nn.functional.cross_entropy(reference(inputs[:8]), labels[:8]).backward()

    classifier = Classifier(model, 2, optimizer=partial(torch.optim.SGD, lr=0.1))
    logger = TensorBoardLogger(str(tmp_path), name="", version="")
    trainer = quiet_trainer(
        max_steps=4, limit_val_batches=0, logger=logger, callbacks=[Diagnostics(2)]
    )
    trainer.fit(classifier, TensorBatches(inputs, labels, batch_size=8))

    events = EventAccumulator(str(tmp_path), size_guidance={"scalars": 0, "histograms": 0})
    events.Reload()

    def values(tag: str) -> list[tuple[int, float]]:
        return [(event.step, event.value) for event in events.Scalars(tag)]

    assert values("diagnostics/dead/1") == [(0, 1.0), (2, 1.0)]
    assert [value for _, value in values("diagnostics/dead/3")] == [0.0, 0.0]
    assert [step for step, _ in values("diagnostics/act_std/3")] == [0, 2]
    assert set(events.Tags()["histograms"]) == {"~diagnostics/act/1", "~diagnostics/act/3"}
    dead_histogram = events.Histograms("~diagnostics/act/1")[0].histogram_value
    assert dead_histogram.num == 8 * 4 and dead_histogram.max == 0.0  # the probe: 8 samples
    first_norm = values("diagnostics/grad_norm/4")[0]
    expected = torch.linalg.vector_norm(
        torch.cat([reference[4].weight.grad.flatten(), reference[4].bias.grad])
    )
    assert first_norm[0] == 0 and first_norm[1] == pytest.approx(expected.item(), rel=1e-5)
    assert values("diagnostics/grad_norm/0")[0][1] == 0.0  # no gradient through dead ReLUs


@pytest.mark.slow
def test_callbacks_diagnostics_runs_from_the_command_line(tmp_path: Path) -> None:
    result = run_cli(
        "data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST, "callbacks=diagnostics",
        "callbacks.diagnostics.every_n_steps=3", "hydra.run.dir=run", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    events = EventAccumulator(str(tmp_path / "run" / "tensorboard")).Reload()
    assert {"~diagnostics/dead/act1", "~diagnostics/grad_norm/fc1"} <= set(events.Tags()["scalars"])


def test_the_histogram_matches_numpys_over_the_same_buckets() -> None:
    torch.manual_seed(0)
    values = torch.randn(64, 3, 4, 4) * 2 + 1
    counts = histogram(values, bins=10)
    flat = values.flatten().double()
    reference, edges = np.histogram(flat.numpy(), bins=10)
    assert counts.num == flat.numel() and counts.bucket_counts == reference.tolist()
    assert counts.bucket_limits == pytest.approx(edges[1:].tolist(), rel=1e-5)
    assert (counts.min, counts.max) == (flat.min().item(), flat.max().item())
    assert counts.sum == pytest.approx(flat.sum().item(), rel=1e-5)
    assert counts.sum_squares == pytest.approx(flat.square().sum().item(), rel=1e-5)
    silent = histogram(torch.zeros(5, 2), bins=4)  # a dead site: one value
    assert silent.bucket_counts == [10, 0, 0, 0] and silent.min == silent.max == 0
