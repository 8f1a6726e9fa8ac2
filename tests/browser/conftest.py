"""Fixtures for the real-browser tests: Debian's headless Chromium driven by Playwright.

We never download a browser (no `playwright install`): the tests use /usr/bin/chromium and
skip, saying why, when it is not there.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.cast import build_cast

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

# Playwright's sync API runs an asyncio event loop in the test thread (inside a greenlet) from
# the moment the session-scoped `playwright` fixture starts until the end of the session. Django
# sees that running loop and refuses ORM calls made in the test thread (the cast fixture, checks
# on the audit trail, and any later non-browser test in the same run) with
# SynchronousOnlyOperation. Nothing here is actually asynchronous -- the ORM is only ever called
# synchronously -- so the safety check is a false alarm and we switch it off. It has to be set
# before the loop starts, and must stay set for the rest of the session, hence module level.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # Without these Chromium tries to reach Google's servers, which the closed network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"  # git-ignored


@pytest.fixture(scope="session")
def playwright():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium); not downloading")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def context(browser, live_server, _empty_audit_trail_after):
    """A fresh browser context (own cookies, own storage) per test.

    It is closed before the audit trail is emptied and the database flushed."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def cast(transactional_db, tmp_path):
    """The known cast, committed so that the live server's thread can see it."""
    return build_cast(tmp_path)


@pytest.fixture
def results_dir() -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    return RESULTS_DIR


@pytest.fixture
def person_page(browser, live_server, context):
    """A signed-in page in a new browser context, one per person: nobody shares cookies.

    Depends on `context` so that the contexts made here are closed before the audit trail is
    emptied and the database flushed."""
    from tests.browser.test_journeys import signed_in_home

    made: list[BrowserContext] = []

    def open_as(email: str, viewport: dict | None = None) -> Page:
        own = browser.new_context(
            base_url=live_server.url,
            locale="en-GB",
            viewport=viewport or {"width": 1280, "height": 900},
        )
        own.set_default_timeout(10_000)
        made.append(own)
        page = own.new_page()
        signed_in_home(page, email)
        return page

    yield open_as
    for own in made:
        own.close()
