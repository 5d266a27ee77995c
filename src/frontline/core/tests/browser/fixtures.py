"""Fixtures for the browser suite: one headless Chromium per session, a fresh page per test.

Registered once, by the root conftest, for every app's browser tests (a second registration
would start a second Playwright in the same session, which Playwright refuses).

The tests run against pytest-django's `live_server` (which also serves the static files), so they
need a transactional database. Playwright's sync API runs an asyncio event loop in this thread,
which makes Django refuse synchronous ORM calls from the test body unless told otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = os.environ.get("FRONTLINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # read by Django on every ORM call
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server, transactional_db) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """A new page in its own context (own cookies), as a Chinese-speaking user's browser would be."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page: Page, world) -> Callable[[str], Page]:  # type: ignore[no-untyped-def]
    """Sign in through the login form as one of the example world's users."""

    from frontline.conftest import PASSWORD  # the root conftest imports this module

    def sign_in(username: str) -> Page:
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert "/accounts/login/" not in page.url, f"login failed for {username}"
        return page

    return sign_in
