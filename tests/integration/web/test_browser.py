"""The chat widget in a real browser (Debian's Chromium), talking to the real servers.

Each test is a new visitor (empty browser storage) on the demo clinic page that
``python -m web`` serves (``web_server``), whose widget talks to the Rasa server of the
session (``servers``) over socket.io. What the widget shows is checked on the page; what
the assistant understood is read back from the tracker store.
"""

from __future__ import annotations

import re
import sqlite3
import time
from typing import List
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, expect

from tests.support.servers import Servers
from tests.support.widget import (
    ANSWER_TIMEOUT_MS,
    DISCLAIMER,
    Visit,
    answers,
    ask,
    conversation,
    launcher,
    open_chat,
    open_visit,
    textbox,
    topic,
    visitor_messages,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

TOPICS = [
    "What Botox does",
    "Scar types",
    "The procedure",
    "Results",
    "Risks",
    "Book a consultation",
]
#: From the test clinic config (tests/support/project.py).
BOOKING_URL = "https://test-dermatology.example/book"


def user_texts(servers: Servers, sender: str) -> List[str]:
    return [e["text"] for e in servers.events(sender) if e["event"] == "user"]


def wait_for_user_texts(servers: Servers, sender: str, expected: List[str]) -> None:
    """Wait until the tracker store holds ``expected`` (Rasa saves after it answers)."""
    deadline = time.monotonic() + ANSWER_TIMEOUT_MS / 1000
    while user_texts(servers, sender) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    assert user_texts(servers, sender) == expected


def senders_since(servers: Servers, start: float) -> List[str]:
    with sqlite3.connect(servers.tracker_db) as db:
        rows = db.execute(
            "SELECT DISTINCT sender_id FROM events WHERE timestamp >= ?", (start,)
        ).fetchall()
    return [row[0] for row in rows]


# The conversation.


def test_the_opening_message_has_the_disclaimer_and_the_topic_buttons(
    visit: Visit, web_server: str
) -> None:
    page = visit.page
    page.goto(web_server)
    expect(page.locator(".rw-conversation-container")).to_have_count(0)
    launcher(page).click()
    greeting = answers(page).first
    expect(greeting).to_contain_text("virtual assistant of Test Dermatology")
    expect(greeting).to_contain_text("I give general information, not medical advice.")
    expect(page.locator(".rw-reply")).to_have_text(TOPICS)


def test_a_topic_button_gives_its_answer(visit: Visit, web_server: str, servers: Servers) -> None:
    page = visit.page
    open_chat(page, web_server)
    topic(page, "Results").click()
    expect(visitor_messages(page).last).to_have_text("Results")
    expect(answers(page).nth(1)).to_contain_text("three to six months")
    wait_for_user_texts(
        servers,
        conversation(page),
        ["/greet", "What results can I expect from Botox for acne scars?"],
    )


def test_a_typed_question_gets_the_faq_answer(visit: Visit, web_server: str) -> None:
    page = visit.page
    open_chat(page, web_server)
    ask(page, "how long does the treatment take?")
    expect(answers(page).nth(1)).to_contain_text("15 to 30 minutes")


def test_a_personal_question_is_refused_with_an_offer_to_book(
    visit: Visit, web_server: str
) -> None:
    page = visit.page
    open_chat(page, web_server)
    ask(page, "Is Botox safe for me? I take isotretinoin.")
    refusal = answers(page).nth(1)
    expect(refusal).to_contain_text("I can't advise on your own situation")
    expect(refusal).to_contain_text("Would you like help booking a consultation?")
    expect(page.locator(".rw-reply")).to_have_text(["Yes, book a consultation", "No, thanks"])
    topic(page, "Yes, book a consultation").click()
    expect(answers(page).nth(2)).to_contain_text("+1 555 0100")


def test_the_conversation_follows_the_visitor_across_reloads_and_pages(
    visit: Visit, web_server: str, servers: Servers
) -> None:
    start = time.time()
    page = visit.page
    open_chat(page, web_server)
    topic(page, "Results").click()
    expect(answers(page).nth(1)).to_contain_text("three to six months")
    sender = conversation(page)
    # Kept for the browser session only: nothing is left when the browser closes.
    assert page.evaluate("localStorage.getItem('chat_session')") is None

    page.reload()
    expect(answers(page).first).to_contain_text(DISCLAIMER)
    expect(answers(page).nth(1)).to_contain_text("three to six months")
    expect(visitor_messages(page)).to_have_text(["Results"])

    page.get_by_role("link", name="About us").click()
    expect(page).to_have_url(f"{web_server}/about")
    expect(answers(page).nth(1)).to_contain_text("three to six months")
    ask(page, "how long does the treatment take?")
    expect(answers(page).nth(2)).to_contain_text("15 to 30 minutes")

    assert conversation(page) == sender
    # One sender with every turn, and no second opening message after the reload.
    wait_for_user_texts(
        servers,
        sender,
        [
            "/greet",
            "What results can I expect from Botox for acne scars?",
            "how long does the treatment take?",
        ],
    )
    assert senders_since(servers, start) == [sender]


# Accessibility.


def test_new_messages_are_announced_and_every_control_has_a_name(
    visit: Visit, web_server: str
) -> None:
    page = visit.page
    page.goto(web_server)
    open_launcher = page.get_by_role(
        "button", name="Open the chat with Test Dermatology's assistant"
    )
    expect(open_launcher).to_have_attribute("aria-expanded", "false")
    open_launcher.click()

    log = page.get_by_role("log", name="Conversation with the assistant")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log).to_have_attribute("aria-relevant", "additions")
    expect(log).to_contain_text(DISCLAIMER)
    expect(textbox(page)).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_attached()
    expect(page.get_by_role("button", name="Close the chat").first).to_be_attached()
    for title in TOPICS:
        expect(topic(page, title)).to_have_attribute("tabindex", "0")
    # A new answer is added inside the live region.
    ask(page, "how long does the treatment take?")
    expect(log.locator(".rw-response")).to_have_count(2)


def test_the_widget_works_with_the_keyboard_alone(visit: Visit, web_server: str) -> None:
    page = visit.page
    page.goto(web_server)
    expect(launcher(page)).to_be_visible()

    # Tab from the top of the page to the launcher; its focus is visible.
    for _ in range(20):
        page.keyboard.press("Tab")
        if launcher(page).evaluate("node => node === document.activeElement"):
            break
    expect(launcher(page)).to_be_focused()
    assert launcher(page).evaluate("node => getComputedStyle(node).outlineStyle") == "solid"

    # Enter opens the widget; the focus goes to the input.
    page.keyboard.press("Enter")
    expect(answers(page).first).to_contain_text(DISCLAIMER)
    expect(textbox(page)).to_be_focused()

    # The topic buttons are above the input: Shift+Tab reaches them, Enter picks one.
    risks = topic(page, "Risks")
    for _ in range(len(TOPICS) + 2):
        page.keyboard.press("Shift+Tab")
        if risks.evaluate("node => node === document.activeElement"):
            break
    expect(risks).to_be_focused()
    assert risks.evaluate("node => getComputedStyle(node).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    expect(answers(page).nth(1)).to_contain_text("bruising at the injection site")
    # The sentence after the list is a paragraph of its own: Rasa's socket.io channel sends
    # each paragraph as a message.
    expect(answers(page).nth(2)).to_contain_text("Serious complications are rare")

    # The focus is back in the input: type and Enter sends.
    expect(textbox(page)).to_be_focused()
    page.keyboard.type("how long does the treatment take?")
    page.keyboard.press("Enter")
    expect(answers(page).nth(3)).to_contain_text("15 to 30 minutes")

    # Space picks a topic button too.
    book = topic(page, "Book a consultation")
    book.focus()
    page.keyboard.press(" ")
    expect(answers(page).nth(4)).to_contain_text(BOOKING_URL)

    # Escape closes the widget and puts the focus back on the launcher.
    textbox(page).focus()
    page.keyboard.press("Escape")
    expect(page.locator(".rw-conversation-container")).to_have_count(0)
    expect(launcher(page)).to_be_focused()
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")


def test_the_widget_fits_a_phone_screen_and_works(phone_visit: Visit, web_server: str) -> None:
    page = phone_visit.page
    page.goto(web_server)
    launcher(page).tap()
    expect(answers(page).first).to_contain_text(DISCLAIMER)

    panel = page.locator(".rw-conversation-container").bounding_box()
    assert panel is not None
    assert panel["x"] >= 0 and panel["y"] >= 0
    assert panel["x"] + panel["width"] <= 375 and panel["y"] + panel["height"] <= 667
    expect(textbox(page)).to_be_in_viewport(ratio=1)
    expect(page.get_by_role("button", name="Close the chat").first).to_be_in_viewport()

    topic(page, "Results").tap()
    expect(answers(page).nth(1)).to_contain_text("three to six months")
    textbox(page).tap()
    ask(page, "does it hurt?")
    expect(answers(page).nth(2)).to_contain_text("topical anaesthetic")
    expect(textbox(page)).to_be_in_viewport(ratio=1)


# Rendering.


def test_html_typed_by_the_visitor_is_shown_as_text(visit: Visit, web_server: str) -> None:
    page = visit.page
    open_chat(page, web_server)
    typed = '<b>x</b><img src=x onerror="window.__injected = 1">'
    ask(page, typed)
    expect(answers(page).nth(1)).to_be_visible()
    message = visitor_messages(page).last
    expect(message).to_have_text(typed)
    expect(message.locator("b, img")).to_have_count(0)
    expect(page.locator('img[src="x"]')).to_have_count(0)
    assert page.evaluate("window.__injected === undefined")


def test_markdown_in_answers_is_rendered(visit: Visit, web_server: str) -> None:
    page = visit.page
    open_chat(page, web_server)
    # The scar types answer is a Markdown list.
    topic(page, "Scar types").click()
    scar_types = answers(page).nth(1)
    expect(scar_types.locator("ul > li")).to_have_count(3)
    expect(scar_types.locator("li").first).to_contain_text("Atrophic scars: sunken scars")
    expect(scar_types).not_to_contain_text("- Atrophic")
    # The sentence after the list is not swallowed by its last item.
    expect(scar_types.locator("li").last).not_to_contain_text("assessed at a consultation")
    expect(answers(page).nth(2)).to_contain_text("assessed at a consultation")
    # The booking answer's web address is a link.
    topic(page, "Book a consultation").click()
    link = answers(page).nth(3).get_by_role("link", name=BOOKING_URL)
    expect(link).to_have_attribute("href", BOOKING_URL)
    expect(link).to_have_attribute("rel", "noopener noreferrer")


def test_a_link_to_code_in_an_answer_cannot_run_even_on_a_page_without_a_csp(
    visit: Visit, unsafe_answers: str
) -> None:
    # A clinic's own page, without the demo page's Content-Security-Policy, whose widget
    # talks to a server that answers with javascript:, data:, https: and tel: links.
    page = visit.page
    page.goto(unsafe_answers)
    launcher(page).click()
    answer = answers(page).first
    expect(answer).to_contain_text("Read this, that, data and site, or call us.")
    # The links that could run code are plain text; the others stay links.
    links = answer.locator("a")
    expect(links).to_have_count(5)
    for name in ("this", "that", "data"):
        link = answer.get_by_text(name, exact=True)
        expect(link).not_to_have_attribute("href", re.compile(".*"))
        link.click()
    expect(answer.get_by_role("link", name="site")).to_have_attribute(
        "href", "https://clinic.example/book"
    )
    expect(answer.get_by_role("link", name="us")).to_have_attribute("href", "tel:+15550100")
    assert page.evaluate("window.__linkRan === undefined")
    assert page.url == unsafe_answers


def test_the_widget_shows_the_clinics_name_colours_and_logo(visit: Visit, web_server: str) -> None:
    page = visit.page
    open_chat(page, web_server)
    header = page.locator(".rw-header")
    expect(header.locator(".rw-title")).to_have_text("Test Dermatology")
    expect(header).to_contain_text("Questions about Botox for acne scars")
    # branding of the test clinic: primary #6a1b4d, accent #f6e8f0.
    expect(header).to_have_css("background-color", "rgb(106, 27, 77)")
    expect(launcher(page)).to_have_css("background-color", "rgb(106, 27, 77)")
    expect(topic(page, "Results")).to_have_css("background-color", "rgb(246, 232, 240)")
    expect(topic(page, "Results")).to_have_css("color", "rgb(106, 27, 77)")
    logo = header.locator("img.rw-avatar")
    expect(logo).to_have_attribute("src", f"{web_server}/branding/logo")
    assert logo.evaluate("image => image.complete && image.naturalWidth > 0")
    font = header.locator(".rw-title").evaluate("node => getComputedStyle(node).fontFamily")
    assert font.startswith("system-ui") and "Inter" not in font


# Where the page connects.


def test_the_page_asks_nothing_from_outside_this_machine(visit: Visit, web_server: str) -> None:
    page = visit.page
    open_chat(page, web_server)
    topic(page, "Scar types").click()
    expect(answers(page).nth(1)).to_contain_text("Atrophic")
    page.get_by_role("link", name="About us").click()
    expect(answers(page).nth(1)).to_contain_text("Atrophic")

    addresses = [url for url in visit.requests if not url.startswith("data:")]
    assert f"{web_server}/vendor/rasa-webchat.js" in addresses
    assert any("/socket.io/" in url for url in addresses)
    local = ("localhost", "127.0.0.1")
    outside = [url for url in addresses if urlsplit(url).hostname not in local]
    assert outside == []


def test_a_site_not_in_the_allowed_origins_gets_no_answer(
    browser: Browser, web_server: str, foreign_site: str
) -> None:
    # The widget on the clinic's own page connects ...
    allowed = open_visit(browser)
    try:
        allowed.page.goto(web_server)
        expect(launcher(allowed.page)).to_be_visible()
    finally:
        allowed.page.context.close()

    # ... the same widget on a page of another origin is refused by the Rasa server.
    refused = open_visit(browser)
    page = refused.page
    try:
        with page.expect_console_message(
            lambda message: "/socket.io/" in message.text and "CORS policy" in message.text
        ) as blocked:
            page.goto(foreign_site)
        assert f"from origin '{foreign_site}'" in blocked.value.text
        expect(page.locator("#clinic-chat")).to_be_attached()
        expect(launcher(page)).to_have_count(0)
        assert page.evaluate("sessionStorage.getItem('chat_session')") is None
    finally:
        page.context.close()
