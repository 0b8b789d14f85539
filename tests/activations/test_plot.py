"""`actlab-plot-activations`: each option and its derivative, and a run's learned sites."""

import subprocess
import sys
from pathlib import Path

import pytest
import torch
from helpers import FAST, TINY_MODEL, run_cli
from torch import nn

from actlab.activations.adaptive import AReLU
from actlab.activations.plot import Z, draw
from actlab.cli.plot_activations import checkpoint_panels, config_panels

PNG = b"\x89PNG\r\n\x1a\n"


def test_each_panel_draws_the_function_and_its_derivative() -> None:
    figure = draw(config_panels(["relu", "tanh", "leaky_relu", "softmax"]))
    relu, tanh, leaky, softmax = figure.axes
    expected = {
        relu: (torch.relu(Z), (Z > 0).float()),
        tanh: (torch.tanh(Z), 1 - torch.tanh(Z) ** 2),
        leaky: (nn.functional.leaky_relu(Z, 0.01), torch.where(Z > 0, 1.0, 0.01)),
        softmax: (torch.sigmoid(Z), torch.sigmoid(Z) * (1 - torch.sigmoid(Z))),  # of (z, 0)
    }
    for ax, (values, slopes) in expected.items():
        function, derivative = ax.get_lines()[:2]
        torch.testing.assert_close(torch.as_tensor(function.get_ydata()), values)
        torch.testing.assert_close(torch.as_tensor(derivative.get_ydata()), slopes)
        assert derivative.get_linestyle() == "--"


@pytest.mark.slow
def test_the_command_draws_every_option_and_names_unknown_ones(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "actlab.cli.plot_activations"]
    done = subprocess.run([*command, "--out", str(tmp_path / "all.png")], capture_output=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "all.png").read_bytes().startswith(PNG)
    wrong = subprocess.run([*command, "swishh"], capture_output=True, text=True)
    assert wrong.returncode == 2
    assert (
        "unknown activation swishh; choose from abrelu, acon_c, adaptive_mix, arelu" in wrong.stderr
    )


@pytest.mark.slow
def test_a_checkpoint_draws_each_site_at_its_learned_values(tmp_path: Path) -> None:
    args = ["data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST, "activation=arelu"]
    trained = run_cli(*args, "optimizer.lr=0.05", "hydra.run.dir=run", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    panels = checkpoint_panels(tmp_path / "run" / "checkpoints" / "last.ckpt")
    assert list(panels) == ["act1", "act2"]  # the MLP's two activation sites
    for (_, learned), (_, start) in panels.values():
        assert isinstance(learned, AReLU)
        a, b, c, d = (getattr(learned, name).detach() for name in "abcd")
        assert not torch.equal(a, start.a)  # it trained
        expected = torch.maximum(a * Z + c, b * Z + d)
        function = draw({"site": [("learned", learned)]}).axes[0].get_lines()[0]
        torch.testing.assert_close(torch.as_tensor(function.get_ydata()), expected)
