"""The live chat's stream (staff/web/live_events.py): server-sent events read as a
browser's EventSource reads them (tests/support/event_stream.py), while Rasa's
SQLTrackerStore stores new events in the tracker store, as any Rasa server would."""

from __future__ import annotations

import time
from typing import Iterator
from urllib.parse import quote

import pytest
from rasa.core.tracker_store import SQLTrackerStore

from staff.settings import StaffSettings
from staff.web import live_events
from staff.web.app import create_app
from staff.web.services import Services
from stores import typing
from tests.support.event_stream import EventStream
from tests.support.live_chat import TAKEN, WAITING
from tests.support.staff_app import Served, Staff, serve, stop
from tests.support.stored_conversations import (
    append_events,
    asks_for_a_person,
    started,
    user,
)


def stream(staff: Staff, query: str, **headers: str) -> EventStream:
    return EventStream(staff.http, f"{staff.url}/live/events?{query}", headers)


def chat_query(sender: str = WAITING, after: int = 0) -> str:
    return f"view=chat&sender={quote(sender, safe='')}&after={after}"


@pytest.fixture
def opened(ana: Staff) -> Iterator[list]:
    """The streams a test opens, closed at its end."""
    streams: list = []
    yield streams
    for each in streams:
        each.close()


def test_the_stream_is_an_event_stream_with_the_pages_headers(ana: Staff, opened: list) -> None:
    events = stream(ana, "view=count")
    opened.append(events)
    assert events.reply.status_code == 200
    assert events.headers["Content-Type"] == "text/event-stream; charset=utf-8"
    assert "default-src 'self'" in events.headers["Content-Security-Policy"]
    assert events.headers["Cache-Control"] == "no-store"
    first = events.next("queue")
    assert first.data == {
        "waiting": 1,
        "taken": 1,
        "waiting_ids": [WAITING],
        "emergency_ids": [],
    }


async def test_a_visitor_who_starts_waiting_reaches_the_live_chat_page_within_a_second(
    ana: Staff, tracker: SQLTrackerStore, opened: list
) -> None:
    events = stream(ana, "view=queue")
    opened.append(events)
    first = events.next("queue")
    [waiting, taken] = first.data["conversations"]
    assert (waiting["sender"], waiting["state"], waiting["channel"]) == (
        WAITING,
        "waiting",
        "the website's chat",
    )
    assert waiting["messages"][0] == {
        "id": waiting["messages"][0]["id"],
        "kind": "visitor",
        "who": "Visitor",
        "time": waiting["messages"][0]["time"],
        "text": "does it hurt",
        "payload": False,
        "understood": "Understood as a question on an FAQ topic (97%), FAQ topic pain",
        "emergency": False,
        "note": "",
    }
    assert (taken["staff"], taken["mine"]) == ("Ben", False)
    stored = time.monotonic()
    now = time.time()
    await append_events(tracker, "new-visitor", [*started(now), *asks_for_a_person(now)])
    update = events.next("queue", within=1.0)
    assert time.monotonic() - stored < 1.0
    assert update.data["waiting"] == 2
    assert update.data["waiting_ids"] == [WAITING, "new-visitor"]


async def test_a_visitor_message_reaches_the_chat_view_within_a_second_as_text(
    ana: Staff, tracker: SQLTrackerStore, opened: list
) -> None:
    events = stream(ana, chat_query(after=10_000))
    opened.append(events)
    assert events.next("state").data == {
        "state": "waiting",
        "staff": "",
        "mine": False,
        "emergency": False,
    }
    stored = time.monotonic()
    await append_events(
        tracker, WAITING, [user("<b>hello?</b> is anyone there", "greet", 0.8, at=time.time())]
    )
    message = events.next("message", within=1.0)
    assert time.monotonic() - stored < 1.0
    assert message.data["text"] == "<b>hello?</b> is anyone there"
    assert (message.data["who"], message.data["understood"]) == (
        "Visitor",
        "Understood as a greeting (80%)",
    )
    assert message.id == str(message.data["id"])


def test_the_chat_view_is_told_when_its_visitor_types_and_no_other_view_is(
    ana: Staff, tracker: SQLTrackerStore, opened: list
) -> None:
    chat = stream(ana, chat_query())
    other = stream(ana, chat_query(TAKEN))
    opened.extend([chat, other])
    chat.next("state")
    other.next("state")
    typing.create(tracker.engine)  # as the project's tracker store makes it
    at = time.time()
    assert typing.record(tracker.engine, WAITING, at)

    assert chat.next("typing", within=1.0).data == {"at": at}
    with pytest.raises(AssertionError):
        other.next("typing", within=0.3)


def test_a_page_that_reconnects_gets_the_messages_it_missed(ana: Staff, opened: list) -> None:
    page = ana.get("/live/conversation?sender=" + quote(WAITING, safe=""))
    first_id = int(page.text.split('data-message-id="', 1)[1].split('"', 1)[0])
    events = stream(ana, chat_query(after=10_000), **{"Last-Event-ID": str(first_id)})
    opened.append(events)
    texts = [events.next("message").data["text"] for _ in range(3)]
    assert texts == [
        "Most people feel only a small pinch.",
        "can I talk to a real person",
        "A member of the team will join this chat shortly.",
    ]


def last_id(staff: Staff, sender: str) -> int:
    """The row id of the last message the chat view shows."""
    page = staff.get("/live/conversation?sender=" + quote(sender, safe=""))
    return int(page.text.split('data-last-id="', 1)[1].split('"', 1)[0])


def test_taking_the_conversation_reaches_its_chat_view(
    ana: Staff, ben: Staff, opened: list
) -> None:
    after = last_id(ana, WAITING)
    mine, theirs = stream(ana, chat_query(after=after)), stream(ben, chat_query(after=after))
    opened += [mine, theirs]
    mine.next("state")
    theirs.next("state")
    ana.get("/live")
    assert ana.post("/live/take", {"sender": WAITING}).status_code == 303
    assert mine.next("state").data == {
        "state": "taken",
        "staff": "Ana",
        "mine": True,
        "emergency": False,
    }
    assert theirs.next("state").data == {
        "state": "taken",
        "staff": "Ana",
        "mine": False,
        "emergency": False,
    }
    joined = mine.next("message")
    assert (joined.data["who"], joined.data["note"]) == (
        "Assistant",
        "Sent when Ana took the conversation.",
    )
    assert theirs.next("message").data["id"] == joined.data["id"]
    ana.post("/live/reply", {"sender": WAITING, "text": "Hello!"})
    said = theirs.next("message")
    assert (said.data["kind"], said.data["who"], said.data["text"]) == (
        "staff",
        "Ana (staff)",
        "Hello!",
    )


def test_the_chat_view_of_a_conversation_taken_by_someone_else(ana: Staff, opened: list) -> None:
    events = stream(ana, chat_query(TAKEN))
    opened.append(events)
    assert events.next("state").data == {
        "state": "taken",
        "staff": "Ben",
        "mine": False,
        "emergency": False,
    }


def test_the_stream_ends_when_the_session_ends(
    ana: Staff, opened: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_events, "KEEP_ALIVE_SECONDS", 0.2)
    events = stream(ana, "view=count")
    opened.append(events)
    events.next("queue")
    ana.get("/live")
    ana.post("/logout", {})
    assert events.next("session", within=3.0).data == {"ended": True}
    assert events.ended.wait(3)


def test_an_open_stream_does_not_keep_an_unattended_session_alive(
    ana: Staff, services: Services, opened: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_events, "KEEP_ALIVE_SECONDS", 0.2)
    events = stream(ana, "view=count")
    opened.append(events)
    events.next("queue")
    services.sessions.idle_seconds = 0.5  # nobody uses a page for longer than that
    assert events.next("session", within=3.0).data == {"ended": True}


def test_the_app_stops_without_waiting_for_the_open_streams(
    settings: StaffSettings, services: Services
) -> None:
    served: Served = serve(create_app(settings, services, name="staff_live_stopping"))
    staff = Staff(served.url)
    staff.login("ana")
    events = stream(staff, "view=queue")
    events.next("queue")
    started_at = time.monotonic()
    stop(served)
    assert time.monotonic() - started_at < 5
    assert events.ended.wait(5)
