"""A visitor on the demo clinic page and a staff member in the staff app, in two browsers
(Debian's Chromium), with the real servers (tests/support/handoff_site.py): the visitor asks
for a person and accepts; the staff member sees it in the queue within a second, takes it
and replies; the visitor sees the reply in the widget and answers; the staff member sees
that without reloading (and, before, that the visitor is typing) and hands back; the
assistant answers the visitor's next question.
An emergency typed while waiting gets the emergency number in the widget, and the staff
app marks it.
"""

from __future__ import annotations

import re
from typing import Iterator

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from clinic.config import parse_clinic
from tests.support.browser import Tab, open_tab
from tests.support.handoff import response_text
from tests.support.handoff_api import paused
from tests.support.handoff_site import STAFF_PASSWORD, HandoffSite, slot_values, staff_messages
from tests.support.project import ROOT, TEST_CLINIC_YAML
from tests.support.widget import (
    ANSWER_TIMEOUT_MS,
    Visit,
    answers,
    ask,
    conversation,
    open_chat,
    open_visit,
    textbox,
    topic,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CLINIC = parse_clinic(yaml.safe_load(TEST_CLINIC_YAML), base=ROOT)
OFFER = response_text("utter_handoff_offer", CLINIC)
WAITING = response_text("utter_handoff_waiting", CLINIC)
JOINED = response_text("utter_handoff_joined", CLINIC, staff_name="Ana")  # account "ana"
#: The name Ben chooses to be shown as (account "ben").
BEN_SHOWN_AS = "Ben O'Neil"
BEN_JOINED = response_text("utter_handoff_joined", CLINIC, staff_name=BEN_SHOWN_AS)
RETURNED = response_text("utter_handoff_returned", CLINIC)
ASK_FOR_A_PERSON = "can I talk to a real person please"
STAFF_REPLY = "Hello, I'm Ana from the clinic. Yes, a small bruise can happen; it fades in days."
VISITOR_ANSWER = "thanks! and how soon can I wear make-up again?"
EMERGENCY = "my eyelid is drooping and I see double since my injections"
GUIDANCE = "This could be a serious reaction. Call 911"
FAQ_QUESTION = "how long do the results last?"
FAQ_ANSWER = "three to six months"
#: The issue's promise: the staff member sees a visitor who asked for a person within a
#: second of the visitor's "yes".
QUEUE_SECONDS = 1.0

#: On the staff member's page: the moment (``Date.now()``) the visitor's card first shows
#: in the list of those waiting, seen by a MutationObserver (the page is not reloaded).
WATCH_QUEUE = """
(sender) => {
  window.__queuedAt = null;
  const selector = '[data-live-list="waiting"] [data-sender="' + sender + '"]';
  const look = () => {
    if (window.__queuedAt === null && document.querySelector(selector)) {
      window.__queuedAt = Date.now();
    }
  };
  new MutationObserver(look).observe(document.body, { childList: true, subtree: true });
  look();
}
"""
#: On the visitor's page: the moment (``Date.now()``, the same clock: one browser) a
#: button of the widget is clicked, taken before the widget's own handler runs.
WATCH_CLICK = """
() => {
  window.__clickedAt = null;
  document.addEventListener("click", (event) => {
    if (window.__clickedAt === null && event.target.closest(".rw-reply")) {
      window.__clickedAt = Date.now();
    }
  }, true);
}
"""


@pytest.fixture
def visit(browser: Browser) -> Iterator[Visit]:
    """The visitor's browser; no JavaScript error."""
    visit = open_visit(browser, viewport={"width": 1280, "height": 800})
    yield visit
    visit.page.context.close()
    assert visit.errors == []


@pytest.fixture
def staff_tab(browser: Browser) -> Iterator[Tab]:
    """The staff member's browser (another context: no cookies shared); no JavaScript error
    and nothing loaded from outside the machine."""
    tab = open_tab(browser, ANSWER_TIMEOUT_MS, viewport={"width": 1280, "height": 900})
    yield tab
    tab.page.context.close()
    assert tab.errors == []
    assert tab.outside_requests() == []


def log_in(page: Page, site: HandoffSite, name: str = "ana") -> None:
    """Log in to the staff app and open the Live chat page, updating live."""
    page.goto(site.staff_url + "/live")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Live chat", exact=True)).to_be_visible()
    expect(page.locator("[data-live-status]")).to_have_text("Updates live.")


def waiting_card(sender: str) -> str:
    """The visitor's card in the Live chat page's list of those waiting."""
    return f'[data-live-list="waiting"] [data-sender="{sender}"]'


def ask_for_a_person(visitor: Page, site: HandoffSite) -> str:
    """The visitor opens the chat and asks for a person; the offer shows. Their sender id."""
    open_chat(visitor, site.page_url)
    ask(visitor, ASK_FOR_A_PERSON)
    expect(answers(visitor).last).to_have_text(OFFER)
    expect(visitor.locator(".rw-reply")).to_have_text(["Yes, connect me", "No, thanks"])
    return conversation(visitor)


def test_a_visitor_talks_to_a_person_in_the_staff_app_and_then_to_the_assistant_again(
    visit: Visit, staff_tab: Tab, live_site: HandoffSite
) -> None:
    visitor, staff = visit.page, staff_tab.page
    log_in(staff, live_site)
    sender = ask_for_a_person(visitor, live_site)

    # The visitor accepts; the staff member's Live chat page shows them within a second.
    staff.evaluate(WATCH_QUEUE, sender)
    visitor.evaluate(WATCH_CLICK)
    topic(visitor, "Yes, connect me").click()
    expect(answers(visitor).last).to_have_text(WAITING)
    card = staff.locator(waiting_card(sender))
    expect(card).to_be_visible()
    seconds = (staff.evaluate("window.__queuedAt") - visitor.evaluate("window.__clickedAt")) / 1000
    print(
        f"from the visitor's click on yes to the queue on the staff member's page: {seconds:.3f} s"
    )
    assert 0 < seconds < QUEUE_SECONDS
    expect(card).to_contain_text("the website's chat")
    events = live_site.events(sender)
    assert slot_values(events, "handoff") == ["waiting"]
    assert paused(events)

    # Ana takes it: the visitor is told in the widget.
    card.get_by_role("button", name="Take this conversation").click()
    expect(staff.get_by_role("heading", name="Your reply")).to_be_visible()
    expect(answers(visitor).last).to_have_text(JOINED)
    staff.evaluate("window.__sameLoad = true")

    # Ana replies; the visitor reads it in the widget and answers; Ana sees it, live.
    staff.get_by_label("Message to the visitor").fill(STAFF_REPLY)
    staff.get_by_role("button", name="Send").click()
    expect(answers(visitor).last).to_have_text(STAFF_REPLY)
    expect(staff.get_by_label("Message to the visitor")).to_have_value("")
    # While the visitor types, Ana sees it (not what they type); it goes when they send.
    typing = staff.locator("[data-live-typing]")
    expect(typing).to_be_hidden()
    textbox(visitor).press_sequentially("thanks! and", delay=40)
    expect(typing).to_have_text("The visitor is typing…", timeout=3000)
    textbox(visitor).fill("")
    ask(visitor, VISITOR_ANSWER)
    expect(staff.locator(".message--visitor").last).to_contain_text(VISITOR_ANSWER)
    expect(typing).to_be_hidden()
    assert staff.evaluate("window.__sameLoad") is True  # not reloaded
    expect(staff.locator(".message--staff").last).to_contain_text(STAFF_REPLY)

    # Ana hands back; the assistant answers the visitor's next question.
    staff.get_by_role("button", name="Hand back to the assistant").click()
    expect(
        staff.get_by_text("Handed back: the assistant answers this visitor again.")
    ).to_be_visible()
    expect(answers(visitor).last).to_have_text(RETURNED)
    ask(visitor, FAQ_QUESTION)
    expect(answers(visitor).last).to_contain_text(FAQ_ANSWER)

    # The assistant said nothing while Ana had the conversation.
    shown = answers(visitor).all_inner_texts()
    assert [" ".join(text.split()) for text in shown[-6:-1]] == [
        OFFER,
        WAITING,
        JOINED,
        STAFF_REPLY,
        RETURNED,
    ]
    stored = live_site.events(sender)
    assert staff_messages(stored, "ana") == [
        (JOINED, "joined"),
        (STAFF_REPLY, None),
        (RETURNED, "returned"),
    ]
    assert not paused(stored) and slot_values(stored, "handoff")[-1] is None


def test_an_emergency_typed_while_waiting_gets_the_emergency_number_and_is_marked(
    visit: Visit, staff_tab: Tab, live_site: HandoffSite
) -> None:
    visitor, staff = visit.page, staff_tab.page
    # Ben chooses the name visitors are told.
    log_in(staff, live_site, "ben")
    staff.get_by_label("Your name for visitors").fill(BEN_SHOWN_AS)
    staff.get_by_role("button", name="Save").click()
    expect(staff.locator(".notice--done")).to_have_text(
        f"Visitors will be told that {BEN_SHOWN_AS} from the team has joined."
    )
    expect(staff.locator("[data-live-status]")).to_have_text("Updates live.")
    sender = ask_for_a_person(visitor, live_site)
    topic(visitor, "Yes, connect me").click()
    expect(answers(visitor).last).to_have_text(WAITING)
    card = staff.locator(waiting_card(sender))
    expect(card).to_be_visible()
    expect(card.locator(".live-card__emergency")).to_be_hidden()

    # Paused, yet the emergency is answered at once, with the emergency number.
    ask(visitor, EMERGENCY)
    expect(answers(visitor).nth(-2)).to_contain_text(GUIDANCE)
    expect(answers(visitor).last).to_have_text(
        "When you are safe, let Test Dermatology know on +1 555 0100."
    )

    # The staff app marks it, in the queue and in the chat view.
    expect(card.locator(".live-card__emergency")).to_be_visible()
    expect(card).to_have_class(re.compile(r"\blive-card--emergency\b"))
    card.get_by_role("link", name="Open").click()
    expect(staff.locator("[data-live-emergency]")).to_be_visible()
    expect(staff.locator(".message--emergency").first).to_contain_text(EMERGENCY)
    expect(staff.locator(".message--emergency", has_text=GUIDANCE)).to_be_visible()
    events = live_site.events(sender)
    assert True in slot_values(events, "emergency_reported")
    assert paused(events)

    # It still waits for a person: Ben takes it (the visitor reads the name he chose),
    # then hands it back.
    staff.get_by_role("button", name="Take this conversation").click()
    expect(answers(visitor).last).to_have_text(BEN_JOINED)
    staff.get_by_role("button", name="Hand back to the assistant").click()
    expect(answers(visitor).last).to_have_text(RETURNED)
