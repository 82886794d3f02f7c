"""The chat widget in a browser tab, as a visitor sees and uses it (the browser tests of
tests/integration/web/ and tests/integration/staff/)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Locator, Page, expect

from tests.support.browser import Tab, open_tab
from tests.support.channel_clients import web_conversation

#: How long a test waits for the widget or an answer (Rasa may be slow on its first turns).
ANSWER_TIMEOUT_MS = 30_000
#: What the opening message says.
DISCLAIMER = "not medical advice"

#: A visitor's browser tab.
Visit = Tab


def open_visit(browser: Browser, **context_options: Any) -> Visit:
    return open_tab(browser, ANSWER_TIMEOUT_MS, **context_options)


def launcher(page: Page) -> Locator:
    return page.locator(".rw-launcher")


def answers(page: Page) -> Locator:
    """The assistant's messages, oldest first."""
    return page.locator(".rw-response")


def visitor_messages(page: Page) -> Locator:
    return page.locator(".rw-client")


def topic(page: Page, title: str) -> Locator:
    return page.get_by_role("button", name=title, exact=True)


def textbox(page: Page) -> Locator:
    return page.get_by_role("textbox", name="Your question")


def open_chat(page: Page, url: str) -> None:
    """Go to ``url``, open the widget and wait for the opening message."""
    page.goto(url)
    launcher(page).click()
    expect(answers(page).first).to_contain_text(DISCLAIMER)


def ask(page: Page, question: str) -> None:
    textbox(page).fill(question)
    textbox(page).press("Enter")
    expect(visitor_messages(page).last).to_have_text(question)


def session_key(page: Page) -> str:
    """The widget's session key, kept in the browser's session storage (the default)."""
    value = page.evaluate("JSON.parse(sessionStorage.getItem('chat_session')).session_id")
    assert isinstance(value, str) and value
    return value


def conversation(page: Page) -> str:
    """The sender id of the widget's conversation in the tracker store."""
    return web_conversation(session_key(page))
