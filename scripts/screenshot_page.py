"""Open a local HTML page in Debian's chromium with the network refused, and screenshot it.

    python scripts/screenshot_page.py results/interventions/report/report.html docs/report.png

Made for the report page (docs/report-first-screen.png is made this way, and the browser test
uses ``offline_page``). Chromium comes from ``scripts/ensure-browser``; Playwright's own browser
download needs the internet, which these machines do not have.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
REMOTE = re.compile(r"^(https?|wss?|ftp)://.*")


@contextmanager
def offline_page(path: Path, width: int = 1280, height: int = 800) -> Iterator[tuple[Any, list]]:
    """The loaded page and the list of every URL it requested (remote ones are refused)."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise RuntimeError("no chromium on PATH: run scripts/ensure-browser (make test does)")
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.route(REMOTE, lambda route: route.abort())
            page.on("request", lambda request: requested.append(request.url))
            page.goto(Path(path).resolve().as_uri(), wait_until="load")
            yield page, requested
        finally:
            browser.close()


if __name__ == "__main__":
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    with offline_page(source) as (page, _):
        page.screenshot(path=target)
    print(f"{target}: first screen of {source}")
