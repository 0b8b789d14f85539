"""One registry says what an activation is: a class of the user's own, given to the activation
group by `_target_` alone, is a site for the diagnostics, the per-layer logging, the parameter
groups and the activation sheet, as actlab's own are."""

import csv
from pathlib import Path

import torch
from helpers import FAST, TINY_MODEL
from omegaconf import OmegaConf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from torch import Tensor, nn

from actlab.activations.registry import Kind, is_activation, kind_of, learned_values, register
from actlab.cli.plot_activations import checkpoint_panels
from actlab.config.build import build_model
from actlab.init.initializer import nonlinearity_of
from actlab.run.recipe import run
from actlab.training.classifier import Classifier
from actlab.training.optimization import groups_named


class ScaledTanh(nn.Module):
    """scale * tanh(z), its scale learned: an activation written by a user of the template."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(()))

    def forward(self, z: Tensor) -> Tensor:
        return self.scale * torch.tanh(z)


class Shrink(nn.Module):
    """A fixed activation of the user's own, registered by one line."""

    def forward(self, z: Tensor) -> Tensor:
        return z - torch.tanh(z)


register(Shrink, gain="tanh")

USER_ACTIVATION = ["activation._target_=test_registry.ScaledTanh", "activation._partial_=true"]
RUN = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST]


def test_pytorchs_and_actlabs_activations_are_registered_with_what_they_are() -> None:
    assert kind_of(nn.ReLU()) == Kind(learnable=False, gain="relu")
    assert kind_of(nn.PReLU()) == Kind(learnable=True)
    assert kind_of(nn.GELU()) == Kind() and not is_activation(nn.Linear(2, 2))
    assert not is_activation(nn.MultiheadAttention(4, 2))
    assert nonlinearity_of(nn.LeakyReLU(0.1)) == {"nonlinearity": "leaky_relu", "a": 0.1}
    assert nonlinearity_of(Shrink()) == {"nonlinearity": "tanh"}  # its one registration line


def test_a_users_own_activation_is_a_site_everywhere(compose_run, tmp_path: Path) -> None:
    cfg = compose_run(
        *RUN, *USER_ACTIVATION, "callbacks=diagnostics", "callbacks.diagnostics.every_n_steps=4"
    )
    run(cfg)
    run_dir = tmp_path / "run"
    assert kind_of(ScaledTanh()) == Kind(learnable=True)  # adopted when the model was built

    # The diagnostics: its sites' activation statistics.
    events = EventAccumulator(str(run_dir / "tensorboard")).Reload()
    assert {"~diagnostics/act_mean/act1", "~diagnostics/dead/act2"} <= set(events.Tags()["scalars"])

    # The per-layer logging of learnable activations: its scale, per layer, learned.
    with (run_dir / "adaptive_params.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert [row["layer"] for row in rows] == ["act1", "act2"]
    assert all(float(row["scale"]) != 1.0 for row in rows)
    assert "~adaptive/act1/scale" in events.Tags()["scalars"]

    # The parameter groups: its scales in the activations' group, without weight decay.
    model = build_model(cfg, (30,), 2)
    optimizer = Classifier(model, 2, optimizer=torch.optim.AdamW).configure_optimizers()
    (activation_group,) = groups_named(optimizer, "activations")
    assert activation_group["weight_decay"] == 0.0
    assert {id(p) for p in activation_group["params"]} == {
        id(site.scale) for site in model.modules() if isinstance(site, ScaledTanh)
    }

    # The activation sheet of the trained run: its sites at their learned values.
    (run_dir / ".hydra").mkdir(exist_ok=True)
    OmegaConf.save(cfg, run_dir / ".hydra" / "config.yaml")
    panels = checkpoint_panels(run_dir / "checkpoints" / "last.ckpt")
    assert list(panels) == ["act1", "act2"]
    learned, start = panels["act1"]
    assert learned_values(learned[1]) == {"scale": float(rows[0]["scale"])}
    assert learned_values(start[1]) == {"scale": 1.0}
