"""Playwright against pytest-django's live server: one Chromium per session, a fresh context
(cookies, storage) per test, and every test fails if a page logs a JavaScript error.

Debian's Chromium (/usr/bin/chromium) is used; Playwright's own browser downloads never are.
Without it the browser tests are skipped, unless REQUIRE_BROWSER is set (CI), where they fail.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from enrollment_tracks.core import clock
from enrollment_tracks.demo.loader import load_demo

# Playwright's sync API runs an asyncio loop in this thread; the ORM calls the tests make
# between page actions (fixtures, assertions) are still plain synchronous calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # A generated video for getUserMedia and an auto-granted camera prompt (ID verification).
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
MISSING = (
    "Chromium not installed (/usr/bin/chromium): browser tests skipped; "
    "install Debian's chromium to run them"
)
#: Inside the demo's enrollment window (June 2026 to May 2027) and before its deadlines.
NOW = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(
                f"REQUIRE_BROWSER is set but Chromium is not installed ({CHROMIUM}); "
                "install Debian's chromium (apt-get install chromium)",
                pytrace=False,
            )
        pytest.skip(MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageErrors:
    """What the page reported: uncaught exceptions and console errors."""

    messages: list[str] = field(default_factory=list)
    navigations: set[str] = field(default_factory=set)

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        # A page rendered on purpose with a 4xx status (a refused form) is reported by
        # Chromium as a failed resource load of the document itself: not a script error.
        if message.text.startswith("Failed to load resource") and url in self.navigations:
            return
        self.messages.append(f"console.error at {url}: {message.text}")

    def on_page_error(self, error) -> None:
        self.messages.append(f"uncaught {error.name}: {error.message}")

    def on_response(self, response) -> None:
        if response.request.is_navigation_request():
            self.navigations.add(response.url)


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors()


@pytest.fixture
def page(browser, live_server, page_errors, _demo) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", page_errors.on_console)
    page.on("pageerror", page_errors.on_page_error)
    page.on("response", page_errors.on_response)
    try:
        yield page
    finally:
        context.close()
    assert page_errors.messages == [], "the page logged JavaScript errors"


@pytest.fixture
def _demo(transactional_db) -> Iterator[None]:
    """The demo site, at a moment inside its enrollment window."""
    with clock.frozen_at(NOW):
        load_demo()
        yield


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard/")
