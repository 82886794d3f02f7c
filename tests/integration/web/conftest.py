"""Fixtures of the website's browser tests: Debian's Chromium driven by Playwright
(tests/support/browser.py), visitors' tabs, and a second site whose origin the Rasa server
refuses."""

from __future__ import annotations

from typing import Iterator

import pytest
from playwright.sync_api import Browser

from tests.support.browser import chromium_browser
from tests.support.servers import Servers, free_port
from tests.support.website import website
from tests.support.widget import ANSWER_TIMEOUT_MS, Visit, open_visit


@pytest.fixture(scope="module")
def foreign_site(servers: Servers) -> Iterator[str]:
    """The same website on another port: an origin not in SOCKETIO_CORS_ORIGINS."""
    port = free_port()
    assert str(port) not in servers.env["SOCKETIO_CORS_ORIGINS"]
    with website(servers.env, port, servers.folder / "foreign-web.log") as url:
        yield url.replace("localhost", "127.0.0.1")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium_browser(ANSWER_TIMEOUT_MS) as browser:
        yield browser


@pytest.fixture
def visit(browser: Browser) -> Iterator[Visit]:
    """A desktop visitor; the page must raise no JavaScript error."""
    visit = open_visit(browser, viewport={"width": 1280, "height": 800})
    yield visit
    visit.page.context.close()
    assert visit.errors == []


@pytest.fixture
def phone_visit(browser: Browser) -> Iterator[Visit]:
    """A visitor on a phone-sized screen (375 x 667, touch); no JavaScript error."""
    visit = open_visit(
        browser,
        viewport={"width": 375, "height": 667},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    yield visit
    visit.page.context.close()
    assert visit.errors == []
