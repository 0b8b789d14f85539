"""No test reaches the network: this module replaces `urllib.request.urlopen`, the call under
torchvision's downloads, in the test process (conftest.py) and, as `sitecustomize` on the
PYTHONPATH that `helpers.run_cli` sets, in every Python process a test starts.

Without `ACTLAB_FAKE_SERVER` every request fails as it does offline. With it set to a folder, a
request for any URL is served the file of that name from the folder (404 where there is none),
and each file served is counted, one line in `served.log` there. Two files in the folder change
how it serves: `delay` (seconds before each answer: jobs that start together then overlap) and
`cut_short` (the connection drops halfway through each file).
"""

import http.client
import io
import os
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any


class Response(io.BytesIO):
    """An HTTP response whose body is `body`, cut halfway when `cut_short`."""

    def __init__(self, url: str, body: bytes, cut_short: bool, on_read: Any) -> None:
        super().__init__(body[: len(body) // 2] if cut_short else body)
        self.url = url
        self.length = len(body)
        self.status = 200
        self.cut_short = cut_short
        self.on_read = on_read

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        if not chunk and self.cut_short:
            raise http.client.IncompleteRead(b"", self.length - self.tell())
        if not chunk and self.on_read is not None:
            self.on_read()  # the whole file was read
            self.on_read = None
        return chunk

    def geturl(self) -> str:
        return self.url


def urlopen(request: urllib.request.Request | str, *args: Any, **kwargs: Any) -> Response:
    """Serve `request` from $ACTLAB_FAKE_SERVER, or fail as offline."""
    url = request if isinstance(request, str) else request.full_url
    server = os.environ.get("ACTLAB_FAKE_SERVER")
    if not server:
        raise urllib.error.URLError("no network in actlab's tests")
    folder = Path(server)
    if (folder / "delay").exists():
        time.sleep(float((folder / "delay").read_text()))
    name = url.rstrip("/").rsplit("/", 1)[-1]
    if not (folder / name).is_file():
        raise urllib.error.HTTPError(url, 404, "Not Found", {}, None)  # type: ignore[arg-type]

    def served() -> None:
        with (folder / "served.log").open("a") as log:
            log.write(f"{name} {os.getpid()}\n")

    return Response(url, (folder / name).read_bytes(), (folder / "cut_short").exists(), served)


urllib.request.urlopen = urlopen  # type: ignore[assignment]
