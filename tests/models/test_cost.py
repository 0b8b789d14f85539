"""Model costs, and the docs' table of them (docs/config-groups.md)."""

import pytest
from torch import nn

from actlab.cli.model_cost import cost_table
from actlab.config import CONFIG_DIR
from actlab.models.cost import model_cost


def test_model_cost_counts_parameters_and_multiply_accumulates() -> None:
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.Flatten(), nn.Linear(4 * 8 * 8, 5))
    params, macs = model_cost(model, (3, 8, 8))
    assert params == (3 * 4 * 9 + 4) + (256 * 5 + 5)
    assert macs == 3 * 4 * 9 * 8 * 8 + 256 * 5


@pytest.mark.slow  # builds and counts every network at full width
def test_the_readme_table_matches_every_models_measured_cost() -> None:
    readme = (CONFIG_DIR.parent / "docs" / "config-groups.md").read_text()
    rows = cost_table()
    assert len(rows) >= 7
    missing = [row for row in rows if row not in readme]
    assert not missing, "docs/config-groups.md is out of date; `actlab-model-cost` prints:\n" + (
        "\n".join(missing)
    )
