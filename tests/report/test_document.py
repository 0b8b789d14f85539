"""report.md's first paragraph: what ran, what is compared on what, which weights were tested,
and where the validation metric is the test set's."""

from tables import runs_table

from actlab.report import ask, find, swept_axes
from actlab.report.document import report_markdown


def first_paragraph(**columns: object) -> str:
    runs = runs_table({"relu": [0.97, 0.98], "tanh": [0.96, 0.97]}).assign(**columns)
    axes = swept_axes(runs)
    return report_markdown(find(runs, axes, ask(runs, axes)), []).split("\n\n")[1]


def test_the_report_says_what_it_compares_and_which_weights_were_tested() -> None:
    text = first_paragraph(validation="split")
    assert text.startswith("4 runs (4 ok); swept: activation; seeds: seed 0, 1. Compared: ")
    assert (
        "on best val/acc: the monitored val/acc at each run's best epoch (`--metric test` " in text
    )
    assert "Test metrics are of the best validation epoch's weights (test_weights=best)" in text
    assert "validate on the test set" not in text


def test_runs_that_validate_on_the_test_set_are_said_to() -> None:
    text = first_paragraph(validation="test", tested="last")
    assert "Test metrics are of the last epoch's weights (test_weights=last" in text
    assert "4 of 4 runs validate on the test set (data.validation=test" in text
    assert "are chosen on the test set" in text
