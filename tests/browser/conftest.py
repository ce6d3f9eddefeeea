"""Playwright journeys in Debian's Chromium against the live test server.

Every test here is marked `browser` (run last by `make test`). Screenshots a journey takes go
through the `shot` fixture to var/screenshots/, or to docs/screenshots/ with
UPDATE_SCREENSHOTS=1 (`make screenshots`).

The clock is frozen for every journey (`FROZEN_AT`, a Wednesday working day): the server's
through time-machine (the live server runs in a thread of this process, so it shares the
travel), the page's through Playwright's clock. Time still ticks from there, so sessions and
timeouts behave, but the dates on the pages and in the screenshots are the same on every run.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The same lookup as the set-up check of `make test` (scripts/prepare_test.py).
CHROMIUM = (
    os.environ.get("CHROMIUM")
    or shutil.which("chromium")
    or shutil.which("chromium-browser")
    or "/usr/bin/chromium"
)
FROZEN_AT = dt.datetime(2025, 6, 18, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
ROOT = Path(__file__).resolve().parents[2]
# The kept screenshots in docs/ change only when asked (`make screenshots`); an ordinary run
# writes them under var/ so that running the tests leaves the work tree clean.
SCREENSHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else ROOT / "var" / "screenshots"
)
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def frozen_clock():
    """The server's clock for one journey, started at FROZEN_AT and ticking."""
    with time_machine.travel(FROZEN_AT, tick=True) as traveller:
        yield traveller


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


def _page(browser, viewport, **kw):
    context = browser.new_context(
        viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", **kw
    )
    # The page's clock (Date in scripts) at the server's frozen time; timers run as usual.
    context.clock.install(time=dt.datetime.now(dt.UTC))
    page = context.new_page()
    # Generous: a loaded CI machine (2 cores) can take seconds for a page; a real failure
    # fails as surely, only later.
    page.set_default_timeout(30_000)
    return context, page


@pytest.fixture
def phone(browser):
    context, page = _page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    context.close()


@pytest.fixture
def desk(browser):
    context, page = _page(browser, DESK)
    yield page
    context.close()


@pytest.fixture
def log_in(live_server):
    """Log in through the login form, as a person does."""

    def do(page, username: str, password: str):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        # Logging in hashes the password and writes the session: on a loaded machine that
        # alone can take seconds, so this one wait is longer than the pages' default.
        page.wait_for_url(lambda url: "/login/" not in url, timeout=30_000)

    return do


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = True):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    return take


def assert_fits(page) -> None:
    """The page, once loaded with its style sheets, scrolls only up and down at the phone's
    own width. Measured against the viewport, not `window.innerWidth`: a mobile browser zooms
    out to a too-wide page, and its inner width grows with it. A test that waits for an
    element of a page it just navigated to can see it before the style sheet has arrived,
    when nothing wraps yet: so the page's load is awaited first."""
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    allowed = page.viewport_size["width"]
    assert width <= allowed, f"{page.url} is {width}px wide on a {allowed}px screen"
