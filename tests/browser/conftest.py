"""A headless Chromium (chromium.sh installs it where it can) driven by Selenium, and TensorBoard
on a free local port, for the tests of this folder; where no browser can be had, each test is
skipped with the reason."""

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import REPO

CHROMIUM = Path(__file__).parent / "chromium.sh"
CANNOT_INSTALL = 2
"""chromium.sh's exit status where no browser can be installed here."""

ARTIFACTS = Path(os.environ.get("ACTLAB_TEST_ARTIFACTS", REPO / "logs" / "test-artifacts"))
"""Where the browser tests leave their screenshots (logs/ is git-ignored)."""

WINDOW = (1400, 900)
"""The browser window's size: a laptop's screen."""


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """A headless Chromium at `WINDOW`'s size, driven by Selenium."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    found = subprocess.run(["bash", str(CHROMIUM)], capture_output=True, text=True, timeout=900)
    if found.returncode == CANNOT_INSTALL:
        pytest.skip(f"no browser here: {found.stderr.strip()} (tests/browser/chromium.sh)")
    assert found.returncode == 0, f"chromium.sh failed:\n{found.stdout}{found.stderr}"
    chromium, driver = found.stdout.split()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu"):
        options.add_argument(argument)
    options.add_argument("--window-size={},{}".format(*WINDOW))
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    yield chrome
    chrome.quit()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """`ARTIFACTS`, made."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def tensorboard() -> Iterator[Callable[[Path], str]]:
    """Starts TensorBoard (the one setup installs) on `logdir`, on a free local port: its address,
    once it answers. Stopped after the test."""
    servers: list[subprocess.Popen] = []

    def start(logdir: Path) -> str:
        port = free_port()
        command = [sys.executable, "-m", "tensorboard.main", "--logdir", str(logdir)]
        servers.append(
            subprocess.Popen(
                [*command, "--host", "127.0.0.1", "--port", str(port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        for _ in range(120):
            try:  # http.client: urllib's urlopen is offline in the tests (offline/)
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/data/runs")
                if connection.getresponse().read() not in (b"", b"[]"):  # it has read the runs
                    return f"http://127.0.0.1:{port}"
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"TensorBoard on {logdir} did not answer on port {port}")

    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=30)
