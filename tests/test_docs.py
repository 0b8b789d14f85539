"""The docs stay true: every `python train.py` command that README.md and docs/ show composes its
config (each sweep at its first value), every tool they name exists, every page the README maps
is there and every link between pages lands."""

import re
import shlex
from pathlib import Path

import pytest
import tomllib
from hydra import compose, initialize_config_dir
from hydra.core.override_parser.overrides_parser import OverridesParser

from actlab.config import CONFIG_DIR

REPO = CONFIG_DIR.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
TOOLS = set(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"])


def shell_lines(page: Path) -> list[str]:
    """The commands in a page's ```bash blocks, continuation lines joined, comments left out."""
    blocks = re.findall(r"```bash\n(.*?)```", page.read_text(), flags=re.DOTALL)
    joined = "\n".join(blocks).replace("\\\n", " ")
    return [line.split(" #")[0].strip() for line in joined.splitlines() if line.strip()]


COMMANDS = [(page.name, line) for page in PAGES for line in shell_lines(page)]
TRAIN = [(page, line) for page, line in COMMANDS if line.startswith("python train.py")]


def first_job(args: list[str]) -> list[str]:
    """The overrides of the first job of a sweep's command line (flags left out)."""
    overrides = [arg for arg in args if not arg.startswith("-")]
    job = []
    for override in OverridesParser.create().parse_overrides(overrides):
        if not override.is_sweep_override():
            job.append(override.input_line)
            continue
        first = next(override.sweep_string_iterator())
        job.append(f"{override.get_key_element()}={first}")  # with its + or ++
    return job


def test_the_docs_show_commands_to_check() -> None:
    assert len(TRAIN) >= 30 and len(PAGES) >= 14


@pytest.mark.parametrize(("page", "line"), TRAIN, ids=[f"{p}: {line}" for p, line in TRAIN])
def test_each_train_command_of_the_docs_composes(page: str, line: str) -> None:
    args = shlex.split(line)[2:]
    if "--cfg" in args:
        args = args[: args.index("--cfg")] + args[args.index("--cfg") + 2 :]
    if any("<" in arg for arg in args):  # a path the reader fills in (<time>)
        args = [arg for arg in args if "<" not in arg]
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose("train", overrides=first_job(args), return_hydra_config=True)
    assert "model" in cfg and "trainer" in cfg


def test_each_tool_the_docs_name_exists() -> None:
    named = {line.split()[0] for _, line in COMMANDS if line.startswith("actlab-")}
    assert named and named <= TOOLS


def test_every_page_the_readme_maps_exists_and_every_link_lands() -> None:
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#:]+\.(?:md|png))\)", page.read_text()):
            assert (page.parent / target).is_file(), f"{page.name} links to {target}"
    mapped = set(re.findall(r"\(docs/([a-z-]+\.md)\)", (REPO / "README.md").read_text()))
    assert mapped == {page.name for page in PAGES[1:]}
