"""TensorBoard as a researcher sees it after a sweep, in a real browser (headless Chromium): the
HParams table opens on the swept axes and the two metrics that decide, the curves' groups come
first and open, the run names show what varies within the run list's width; solo and stacked
sweeps alike. Screenshots of each page are left in logs/test-artifacts/."""

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import FAST, TINY_MODEL, run_cli
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SWEEP = [
    "-m", "data=breast_cancer", "model=mlp", *TINY_MODEL["mlp"], *FAST,
    "activation=relu,prelu", "seed=1,2", "trainer.max_epochs=3",
]  # fmt: skip
VARIES = ["relu,seed=1", "relu,seed=2", "prelu,seed=1", "prelu,seed=2"]
"""What varies in each job of `SWEEP`, in job order, as actlab names it."""

DEEP = """
const selector = arguments[0], found = [];
(function walk(root) {
  for (const element of root.querySelectorAll(selector)) found.push(element);
  for (const element of root.querySelectorAll('*'))
    if (element.shadowRoot) walk(element.shadowRoot);
})(document);
return found;
"""
"""Every element matching a CSS selector, inside shadow roots too (TensorBoard's Polymer pages)."""


@pytest.fixture(scope="module")
def multiruns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """logs/multiruns after the sweep ran alone, then stacked (all four jobs in one stack)."""
    cwd = tmp_path_factory.mktemp("tensorboard")
    for stacking in ([], ["hydra/sweeper=stacking", "stack.size=4"]):
        result = run_cli(*SWEEP, *stacking, cwd=cwd)
        assert result.returncode == 0, result.stderr
        time.sleep(1)  # the next sweep's folder is named by another second
    return cwd / "logs" / "multiruns"


def sweeps(multiruns: Path) -> list[Path]:
    """The sweep folders, solo first."""
    return sorted(multiruns.iterdir())


def wait_for(browser, selector: str, count: int = 1, timeout: float = 60) -> list:
    """The elements matching `selector` once there are at least `count`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = browser.execute_script(DEEP, selector)
        if len(found) >= count:
            return found
        time.sleep(0.5)
    raise AssertionError(f"no {count} of {selector} on {browser.current_url}")


def texts(browser, elements: list) -> list[str]:
    return [browser.execute_script("return arguments[0].innerText.trim()", e) for e in elements]


def open_page(browser, address: str, page: str) -> None:
    browser.get(f"{address}/#{page}")
    browser.refresh()  # a hash change alone keeps the page of the last test


def test_hparams_opens_on_the_swept_axes_and_the_metrics_that_decide(
    browser, tensorboard: Callable[[Path], str], multiruns: Path, artifacts: Path
) -> None:
    open_page(browser, tensorboard(multiruns), "hparams")
    headers = texts(browser, wait_for(browser, ".table-header"))
    assert headers == [
        "Trial ID", "Show Metrics", "activation", "seed", "status", "best_val_acc", "test/acc",
    ]  # fmt: skip
    time.sleep(2)  # the rows come after the header
    cells = texts(browser, wait_for(browser, ".table-cell", count=len(headers) * 9))
    trials = [cell for cell in cells if "seed=" in cell]
    expected = [f"{varies} ({sweep.name})" for sweep in sweeps(multiruns) for varies in VARIES]
    assert sorted(trials) == sorted(expected)  # the Trial ID says what varies, first
    browser.save_screenshot(str(artifacts / "tensorboard_hparams.png"))


def test_the_curves_come_first_and_open(browser, tensorboard, multiruns: Path, artifacts) -> None:
    address = tensorboard(multiruns)
    open_page(browser, address, "timeseries")
    groups = texts(browser, wait_for(browser, ".group-title", count=5))
    assert [group for group in groups if group != "Pinned"][:2] == ["train", "val"]
    assert "~adaptive" in groups  # PReLU's learned slopes, after the curves
    browser.save_screenshot(str(artifacts / "tensorboard_time_series.png"))

    open_page(browser, address, "scalars")
    headings = texts(browser, wait_for(browser, "button.heading", count=5))
    assert [heading.split("\n")[0] for heading in headings][:2] == ["train", "val"]
    panes = wait_for(browser, "tf-category-paginated-view", count=5)
    opened = {  # by tag group; the pane of the tag filter's matches has no name
        name: is_open
        for name, is_open in browser.execute_script(
            "return arguments[0].map(pane => [pane.category.name, pane.opened])", panes
        )
        if name
    }
    assert list(opened)[:2] == ["train", "val"]
    assert [name for name, is_open in opened.items() if is_open] == ["train", "val"]
    browser.save_screenshot(str(artifacts / "tensorboard_scalars.png"))


@pytest.mark.parametrize("logdir", ["multiruns", "sweep"])
def test_run_names_show_what_varies_within_the_run_lists_width(
    browser, tensorboard, multiruns: Path, artifacts: Path, logdir: str
) -> None:
    """With --logdir logs/multiruns the run list reads `<sweep>/<job>/<what varies>`, with
    --logdir <sweep> `<job>/<what varies>`; every name whole within the list."""
    solo = sweeps(multiruns)[0]
    root = multiruns if logdir == "multiruns" else solo
    open_page(browser, tensorboard(root), "timeseries")
    cells = wait_for(browser, "tb-data-table-content-cell.table-column-run", count=4)
    names = texts(browser, cells)
    prefix = f"{solo.name}/" if logdir == "multiruns" else ""
    assert {f"{prefix}{job}/{varies}" for job, varies in enumerate(VARIES)} <= set(names)
    (runs_list,) = browser.execute_script(DEEP, "tb-filter-input.run-filter")
    list_right = browser.execute_script(
        "return arguments[0].getBoundingClientRect().right", runs_list
    )
    for cell, name in zip(cells, names, strict=True):
        text_right = browser.execute_script(
            "const r = document.createRange(); r.selectNodeContents(arguments[0]);"
            "return r.getBoundingClientRect().right;",
            cell,
        )
        assert text_right <= list_right, f"{name} is cut at the run list's edge"
    browser.save_screenshot(str(artifacts / f"tensorboard_runs_{logdir}.png"))


def test_solo_and_stacked_sweeps_log_alike(multiruns: Path) -> None:
    """The same run names, tags, steps and HParams entry; values within float rounding."""
    solo, stacked = sweeps(multiruns)
    for job, varies in enumerate(VARIES):
        alone, member = (
            EventAccumulator(str(sweep / str(job) / varies), {"scalars": 0}).Reload()
            for sweep in (solo, stacked)
        )
        # the same tags (in the order of the event files, which is not TensorBoard's)
        assert sorted(alone.Tags()["scalars"]) == sorted(member.Tags()["scalars"])
        for tag in alone.Tags()["scalars"]:
            ours, theirs = alone.Scalars(tag), member.Scalars(tag)
            assert [e.step for e in ours] == [e.step for e in theirs], tag
            assert [e.value for e in ours] == pytest.approx([e.value for e in theirs], abs=1e-4)
        contents = [
            plugin_data_pb2.HParamsPluginData.FromString(
                events.PluginTagToContent("hparams")["_hparams_/experiment"]
            )
            for events in (alone, member)
        ]
        assert contents[0] == contents[1]
