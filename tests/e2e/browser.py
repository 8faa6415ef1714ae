"""Playwright in Debian's Chromium, for the browser tests.

Playwright never downloads a browser here: the tests launch ``/usr/bin/chromium``, which ``make test``
installs with apt. The fixtures are registered once, in ``tests/e2e/conftest.py``: importing them into a
test module would define a second session browser, and two sync Playwright instances cannot share a thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP_VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".build" / "screenshots"


def require_chromium() -> Path:
    """Fail (never skip) when Debian's Chromium is missing: a browser test that is not run proves nothing."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. "
            "`make test` installs it (apt-get update && apt-get install -y chromium).",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def chromium_page(chromium_browser: Browser) -> Iterator[Page]:
    """A fresh page in its own context (no cookies or storage shared between tests), Japanese locale."""
    context = chromium_browser.new_context(locale="ja-JP", viewport=DESKTOP_VIEWPORT)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
