"""Browser journeys: the machine's Chromium (never a downloaded one) against a real server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import service_missing
from tests.servers import serve

CHROMIUM = os.environ.get("FORUM_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]



@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        service_missing("Chromium", f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        service_missing("Playwright", str(exc))
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def live_server(app: Any, database_url: str, tmp_path: Path) -> Iterator[str]:
    """The app served by `flask forum serve` on the test's own database, as a user runs it."""
    # Browser journeys are not marked postgres: they run on the embedded mode's SQLite.
    assert database_url.startswith("sqlite"), database_url
    with serve(database_url, tmp_path) as url:
        yield url


@pytest.fixture
def signed_in_page(browser: Any, live_server: str):
    """A new browser context signed in as the given user; console errors are collected."""
    contexts: list[Any] = []

    def open_as(user: Any, password: str) -> Any:
        context = browser.new_context(viewport={"width": 1100, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_server}/login")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server}/")
        return page

    yield open_as
    for context in contexts:
        context.close()
