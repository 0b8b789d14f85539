"""What each arm costs: medians over its runs, a stack's time said to be the stack's."""

import pytest
from tables import runs_table

from actlab.cli.report import main as report_main
from actlab.report.costs import costs, costs_markdown


def test_costs_are_medians_and_a_stacked_arms_time_is_its_stacks() -> None:
    runs = runs_table({"relu": [0.97, 0.98, 0.975], "prelu": [0.97, 0.98, 0.976]})
    runs["epoch_time_s"] = [0.4, 0.5, 0.9, 2.0, 2.0, 2.1]
    runs["activation_params"] = [0, 0, 0, 2, 2, 2]
    runs.loc[runs.activation == "prelu", ["stacked", "stack_members"]] = ["stacks/0", 3]
    table = costs(runs, ["activation"]).set_index("activation")
    assert table.loc["relu", "epoch time (s)"] == 0.5
    assert table.loc["relu", "stack members"] == 0 and table.loc["prelu", "stack members"] == 3
    text = costs_markdown(table.reset_index(), ["activation"])
    assert "| relu | 3 | 0.5 | - | 100 | 0 |" in text  # no GPU: no memory
    assert "| prelu | 3 | 2 (stack of 3) | - | 100 | 2 |" in text


@pytest.mark.parametrize(
    ("option", "said"),
    [
        (["--alpha", "5"], "5 is not a level between 0 and 1"),
        (["--test", "mann-whitney"], "invalid choice: 'mann-whitney'"),
        (["--metric", "f1"], "invalid choice: 'f1' (choose from "),
    ],
)
def test_a_bad_option_is_refused_with_the_choices(tmp_path, capsys, option, said) -> None:
    with pytest.raises(SystemExit) as stop:
        report_main([str(tmp_path), *option])
    assert stop.value.code == 2 and said in capsys.readouterr().err
