"""What the browser tests share (tests/integration/web/, tests/integration/staff/):
Debian's Chromium driven by Playwright, and browser tabs that record what they asked for
and the errors they saw."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, List

from playwright.sync_api import Browser, Page, expect, sync_playwright

from launcher import chromium


@contextmanager
def chromium_browser(timeout_ms: int) -> Iterator[Browser]:
    """Debian's Chromium, headless (Playwright never downloads a browser here); Playwright's
    ``expect`` waits up to ``timeout_ms``."""
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        expect.set_options(timeout=timeout_ms)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Tab:
    """A browser tab in a new context (no cookies, empty storage), with every address it
    asked for (websockets too) and the JavaScript errors it raised."""

    page: Page
    requests: List[str] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)

    def outside_requests(self) -> List[str]:
        """The addresses asked for that are not this machine's."""
        return [u for u in self.requests if "localhost" not in u and "127.0.0.1" not in u]


def open_tab(browser: Browser, timeout_ms: int, **context_options: Any) -> Tab:
    """A new tab whose actions wait up to ``timeout_ms``."""
    context = browser.new_context(**context_options)
    context.set_default_timeout(timeout_ms)
    tab = Tab(context.new_page())
    tab.page.on("request", lambda request: tab.requests.append(request.url))
    tab.page.on("websocket", lambda socket: tab.requests.append(socket.url))
    tab.page.on("pageerror", lambda error: tab.errors.append(str(error)))
    return tab
