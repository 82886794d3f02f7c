"""The live chat in a real browser (Debian's Chromium): a staff member sees a visitor who
asked for a person appear without reloading, takes the conversation, replies, sees the
visitor's answer arrive, and hands it back; a colleague's page shows who has it.

The staff app runs in this process on a tracker store of its own; the visitor's steps are
written into that store as the Rasa server writes them (issue 17's contract, Rasa's
SQLTrackerStore), and the Rasa server's live-chat routes are the stand-in of
tests/support/handoff_stub.py, which stores a take, a message and a hand-back the same way.
(The whole exchange with the real servers and the widget: tests/integration/handoff/.) The
pictures of docs/staff-guide.md's live chat section are taken on the way, into
``STAFF_SCREENSHOTS`` when it is set.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path
from typing import Any, Callable, Coroutine, Iterator, List

import pytest
from playwright.sync_api import Browser, Page, expect
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event

from staff.settings import StaffSettings
from staff.web.app import create_app
from staff.web.services import Services
from stores.settings import StoreSettings
from tests.support.browser import Tab, chromium_browser, open_tab
from tests.support.handoff_stub import HandoffStub
from tests.support.live_chat import TOKEN, fill
from tests.support.project import ROOT
from tests.support.staff_app import PASSWORD, IdlePublisher, Served, serve, staff_services, stop
from tests.support.stored_conversations import (
    append_events,
    asks_for_a_person,
    bot,
    emergency_while_paused,
    handoff_store,
    started,
    user,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

TIMEOUT_MS = 30_000
VISITOR = "socketio:visitor-in-the-widget"
#: How soon a stored event must show on the staff member's page (the issue asks for a
#: second; the page's own rendering on a busy test machine gets a little more).
LIVE_SECONDS = 2.0


def in_a_thread(
    work: Callable[[SQLTrackerStore], Coroutine[Any, Any, None]], tracker_db: Path
) -> None:
    """Run ``work`` on the tracker store in a thread of its own (Playwright's loop runs in
    this one)."""

    def run() -> None:
        store = handoff_store(tracker_db)
        asyncio.run(work(store))
        store.engine.dispose()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(30)


def store_now(tracker_db: Path, sender: str, events: List[Event]) -> None:
    """Store ``events`` in the tracker store, as the Rasa server stores a turn."""
    in_a_thread(lambda store: append_events(store, sender, events), tracker_db)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium_browser(TIMEOUT_MS) as browser:
        yield browser


@pytest.fixture
def tracker_db(tmp_path: Path) -> Path:
    path = tmp_path / "tracker.db"
    in_a_thread(lambda store: fill(store, time.time()), path)
    return path


@pytest.fixture
def stub(tracker_db: Path) -> Iterator[HandoffStub]:
    running = HandoffStub(tracker_db, TOKEN).start()
    yield running
    running.stop()


@pytest.fixture
def services(tmp_path: Path, data_root: Path, tracker_db: Path, stub: HandoffStub) -> Services:
    settings = StaffSettings(
        db=tmp_path / "staff.db",
        secret_key="a test key",
        data_root=data_root,
        models=tmp_path / "published",
        store=StoreSettings(tracker_db=str(tracker_db)),
        rasa_url=stub.url,
        rasa_api_token=TOKEN,
    )
    return staff_services(settings, IdlePublisher())


@pytest.fixture
def app(services: Services) -> Iterator[Served]:
    served = serve(create_app(services.settings, services, name="staff_live_browser"))
    yield served
    stop(served)


#: Stands in for the browser's Notification, to see what the page would show (the page's
#: own scripts are unchanged; this runs before them).
RECORD_NOTIFICATIONS = """
window.__notifications = [];
window.Notification = function (title, options) {
  window.__notifications.push(title + " | " + ((options && options.body) || ""));
};
window.Notification.permission = "granted";
window.Notification.requestPermission = function () { return Promise.resolve("granted"); };
"""


@pytest.fixture
def tabs(browser: Browser) -> Iterator[List[Tab]]:
    """Two new browsers (no cookies), ana's and ben's; none may raise a JavaScript error
    or load anything from outside."""
    opened = [
        open_tab(browser, TIMEOUT_MS, viewport={"width": 1280, "height": 900}) for _ in range(2)
    ]
    opened[0].page.add_init_script(RECORD_NOTIFICATIONS)
    yield opened
    for tab in opened:
        tab.page.context.close()
        assert tab.errors == []
        assert tab.outside_requests() == []


def log_in(page: Page, url: str, name: str) -> None:
    page.goto(url + "/live")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Live chat", exact=True)).to_be_visible()
    expect(page.locator("[data-live-status]")).to_have_text("Updates live.")


def shot(page: Page, name: str, folder: Path) -> None:
    target = Path(os.environ.get("STAFF_SCREENSHOTS") or folder)
    if not target.is_absolute():
        target = ROOT / target
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / f"{name}.png"))


def seconds_until_visible(page: Page, selector: str, since: float) -> float:
    """How long since ``since`` (``time.monotonic()``) until ``selector`` shows on the page
    (it is not reloaded)."""
    expect(page.locator(selector)).to_be_visible()
    return time.monotonic() - since


def test_a_staff_member_takes_a_waiting_visitor_replies_and_hands_back_without_reloading(
    tabs: List[Tab], app: Served, stub: HandoffStub, tracker_db: Path, tmp_path: Path
) -> None:
    ana, ben = tabs[0].page, tabs[1].page
    log_in(ana, app.url, "ana")
    ana.get_by_role("button", name="Tell me when someone is waiting").click()
    expect(ana.locator("[data-live-notify-state]")).to_contain_text("On:")
    # One visitor waits already (tests/support/live_chat.py), another is with Ben.
    expect(ana.locator("nav [data-live-count-number]")).to_have_text("1")

    # A visitor of the website asks for a person: the page shows them, not reloaded.
    now, stored = time.time(), time.monotonic()
    store_now(
        tracker_db,
        VISITOR,
        [
            *started(now),
            user("can I come back to work the next day?", "faq", 0.91, at=now,
                 topic="downtime", channel="socketio"),
            *bot("Minimal downtime is needed after the treatment.", "utter_faq/downtime"),
            *asks_for_a_person(now + 1, "can I speak to someone", channel="socketio"),
        ],
    )  # fmt: skip
    card = f'[data-live-list="waiting"] [data-sender="{VISITOR}"]'
    waited = seconds_until_visible(ana, card, stored)
    print(f"a waiting visitor showed on the Live chat page after {waited:.2f} s")
    assert waited < LIVE_SECONDS
    expect(ana.locator("nav [data-live-count-number]")).to_have_text("2")
    expect(ana.locator(card)).to_contain_text("the website's chat")
    ana.locator(card).get_by_text("The conversation so far").click()
    expect(ana.locator(card)).to_contain_text(
        "Understood as a question on an FAQ topic (91%), FAQ topic downtime"
    )
    assert ana.evaluate("window.__notifications") == [
        "A visitor is waiting for a person | 2 visitors are waiting in the live chat."
    ]
    shot(ana, "14-live-queue", tmp_path)

    # Ben has the conversation open; Ana takes it; Ben's page says so, not reloaded.
    log_in(ben, app.url, "ben")
    ben.locator(card).get_by_role("link", name="Open").click()
    expect(ben.get_by_role("button", name="Take this conversation")).to_be_visible()
    ana.locator(card).get_by_role("button", name="Take this conversation").click()
    expect(ana.get_by_role("heading", name="Your reply")).to_be_visible()
    expect(ana.get_by_text("ana from the clinic has joined the chat.")).to_be_visible()
    expect(ben.get_by_text("Ana has this conversation.")).to_be_visible()
    expect(ben.get_by_role("button", name="Take this conversation")).to_be_hidden()
    [take] = stub.routes("take")
    assert (take.body, take.authorization) == (
        {"sender_id": VISITOR, "staff": "ana"},
        f"Bearer {TOKEN}",
    )

    # Ana replies: the message goes through the assistant and shows in both pages.
    ana.get_by_label("Message to the visitor").fill("Hello, I'm Ana. Yes, most people can.")
    ana.get_by_role("button", name="Send").click()
    expect(ana.locator(".message--staff").last).to_contain_text("Hello, I'm Ana.")
    expect(ana.get_by_label("Message to the visitor")).to_have_value("")
    expect(ben.locator(".message--staff").last).to_contain_text("Ana (staff)")
    assert [c.body["text"] for c in stub.routes("message")] == [
        "Hello, I'm Ana. Yes, most people can."
    ]

    # The visitor answers in the widget: it shows on Ana's page.
    stored = time.monotonic()
    store_now(
        tracker_db,
        VISITOR,
        [user("thanks! and will there be any bruising?", "faq", 0.7, at=time.time(),
              topic="side_effects", channel="socketio")],
    )  # fmt: skip
    answered = seconds_until_visible(ana, ".message--visitor >> text=any bruising?", stored)
    print(f"the visitor's message showed on the chat page after {answered:.2f} s")
    assert answered < LIVE_SECONDS
    expect(ana.locator(".message--visitor").last).to_contain_text(
        "Understood as a question on an FAQ topic (70%), FAQ topic side effects"
    )
    ana.get_by_label("Message to the visitor").fill("Some people get a small bruise; it fades")
    shot(ana, "15-live-chat", tmp_path)
    # What a visitor types is shown as text, never as HTML.
    store_now(
        tracker_db,
        VISITOR,
        [user('<img src=x onerror="alert(1)"> <b>bold?</b>', "out_of_scope", 0.5,
              at=time.time(), channel="socketio")],
    )  # fmt: skip
    expect(ana.locator(".message--visitor").last).to_contain_text(
        '<img src=x onerror="alert(1)"> <b>bold?</b>'
    )
    assert ana.locator(".message--visitor img, .message--visitor b").count() == 0
    # An emergency typed now: the assistant gave the guidance; the page marks it, and the
    # notification says so.
    store_now(tracker_db, VISITOR, emergency_while_paused(time.time()))
    expect(ana.locator("[data-live-emergency]")).to_be_visible()
    expect(ana.locator(".message--emergency").first).to_contain_text(
        "my throat is swelling and I can't swallow"
    )
    expect(ana.locator(".message--emergency").last).to_contain_text("Call 911 now")
    assert ana.evaluate("window.__notifications")[-1] == (
        "Emergency: a visitor in the live chat described a serious reaction | "
        "1 visitor is waiting in the live chat."
    )

    # Ana hands it back: the queue is empty again, for both.
    ana.get_by_role("button", name="Hand back to the assistant").click()
    expect(
        ana.get_by_text("Handed back: the assistant answers this visitor again.")
    ).to_be_visible()
    expect(ana.locator("nav [data-live-count-number]")).to_have_text("1")
    expect(ben.get_by_text("The assistant answers this conversation")).to_be_visible()
    [resume] = stub.routes("resume")
    assert resume.body == {"sender_id": VISITOR, "staff": "ana"}


def test_the_callbacks_page_lists_the_requests_and_marks_one_done(
    tabs: List[Tab], app: Served, tmp_path: Path
) -> None:
    page = tabs[0].page
    log_in(page, app.url, "ana")
    page.get_by_role("link", name="Callbacks (1 to do)").click()
    expect(page.get_by_role("heading", name="Sam Lee")).to_be_visible()
    expect(page.get_by_text("+44 7700 900123")).to_be_visible()
    shot(page, "16-callbacks", tmp_path)
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("Done by Ana on")).to_be_visible()
    expect(page.get_by_role("heading", name="To do (0)")).to_be_visible()
