"""Fixtures of the website's tests: a website of its own (no Rasa needed), Debian's
Chromium driven by Playwright (tests/browser.py), and a second site whose origin the Rasa
server refuses."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

import pytest
from playwright.sync_api import Browser

from launcher import processes
from tests.browser import Tab, chromium_browser, open_tab
from tests.conftest import ROOT, TEST_CLINIC_YAML
from tests.servers import Servers, free_port, wait_until_up

#: How long a test waits for the widget or an answer (Rasa may be slow on its first turns).
ANSWER_TIMEOUT_MS = 30_000


@contextmanager
def website(env: Mapping[str, str], port: int, log: Path) -> Iterator[str]:
    """``python -m web`` on ``port`` of 127.0.0.1 with ``env``; its URL as a visitor types it."""
    site_env = {**env, "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port)}
    with processes.process([sys.executable, "-m", "web"], site_env, log) as child:
        wait_until_up(f"http://127.0.0.1:{port}/health", child, log)
        yield f"http://localhost:{port}"


@dataclass
class Site:
    """A running website of the tests, and what it was started with."""

    url: str
    socket_url: str
    clinic_file: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The website alone, with the test clinic; its widget points at a Rasa that is not
    there, which the pages and files it serves do not need."""
    folder = tmp_path_factory.mktemp("site")
    clinic_file = folder / "clinic.yml"
    clinic_file.write_text(TEST_CLINIC_YAML, encoding="utf-8")
    socket_url = "http://localhost:5999"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CLINIC_CONFIG": str(clinic_file),
        "RASA_SOCKET_URL": socket_url,
    }
    with website(env, free_port(), folder / "web.log") as url:
        yield Site(url, socket_url, clinic_file)


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


#: A visitor's browser tab.
Visit = Tab


def open_visit(browser: Browser, **context_options: Any) -> Visit:
    return open_tab(browser, ANSWER_TIMEOUT_MS, **context_options)


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
