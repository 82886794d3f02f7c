"""Fixtures of the website's browser tests: Debian's Chromium driven by Playwright
(tests/support/browser.py), visitors' tabs, and a second site whose origin the Rasa server
refuses."""

from __future__ import annotations

import sys
from typing import Iterator

import pytest
from playwright.sync_api import Browser

from launcher import processes
from tests.support.browser import chromium_browser
from tests.support.servers import Servers, free_port, wait_until_up
from tests.support.website import website
from tests.support.widget import ANSWER_TIMEOUT_MS, Visit, open_visit


@pytest.fixture(scope="module")
def foreign_site(servers: Servers) -> Iterator[str]:
    """The same website on another port: an origin not in SOCKETIO_CORS_ORIGINS."""
    port = free_port()
    assert str(port) not in servers.env["SOCKETIO_CORS_ORIGINS"]
    with website(servers.env, port, servers.folder / "foreign-web.log") as url:
        yield url.replace("localhost", "127.0.0.1")


#: What the socket.io stand-in answers every message with: links of each kind.
UNSAFE_ANSWER = (
    "Read [this](javascript:window.__linkRan=1), [that](JaVaScRiPt:window.__linkRan=2), "
    "[data](data:text/html,<script>alert(1)</script>) and [site](https://clinic.example/book), "
    "or call [us](tel:+15550100)."
)


@pytest.fixture(scope="module")
def unsafe_answers(servers: Servers, web_server: str) -> Iterator[str]:
    """A clinic's page without a Content-Security-Policy, whose widget talks to a socket.io
    server that answers every message with :data:`UNSAFE_ANSWER` (the staff checks refuse
    such an answer; the widget must not trust that they ran); the page's URL."""
    port = free_port()
    log = servers.folder / "socket-stub.log"
    widget = f"{web_server}/widget.js"
    command = [sys.executable, "-m", "tests.support.socket_stub", str(port), UNSAFE_ANSWER, widget]
    with processes.process(command, servers.env, log) as child:
        url = f"http://localhost:{port}"
        wait_until_up(f"{url}/health", child, log)
        yield f"{url}/clinic.html"


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
