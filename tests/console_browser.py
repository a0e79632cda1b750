"""Headless Chromium for the console tests: Debian's /usr/bin/chromium (or $CHROMIUM) driven by Playwright for
Python (never ``playwright install``: the system browser is used). Without either the tests are skipped,
saying which is missing, and fail instead under CI (tests.real_clients).

A test module takes the fixtures with ``from tests.console_browser import browser, page`` (one browser per
module). Screenshots of the pages go to $CONSOLE_SCREENSHOTS when set (for a person to look at).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import real_clients

BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The window the console must fit without scrolling sideways (issue 15: a 1,280 px laptop window).
VIEWPORT = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = real_clients.chromium()
    playwright_api = real_clients.playwright_sync_api()
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, server: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT, base_url=server.endpoint)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def screenshot(page: Any, name: str) -> None:
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"console-{name}.png"), full_page=True)
