"""The live chat's reads of the tracker store (staff/live/store.py), from a store that
Rasa's own SQLTrackerStore filled with the events of issue 17's contract: SQLite, and
PostgreSQL in a fresh schema."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Iterator

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ConversationPaused

from staff.conversations import ConversationStore
from staff.live import LiveStore
from staff.live.store import LOOK_BACK
from stores.settings import StoreSettings
from stores.tracker import create_schema, postgres_arguments
from tests.support.shared_stores import fresh_schema
from tests.support.stored_conversations import (
    WAITING_TEXT,
    append_events,
    asks_for_a_person,
    bot,
    callback_given,
    emergency_while_paused,
    handed_back,
    handoff_domain,
    handoff_store,
    staff_joined,
    staff_wrote,
    started,
    user,
)

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
NOW = time.time()


async def fill(store: SQLTrackerStore) -> None:
    """A conversation of each kind the live chat tells apart."""
    await append_events(
        store,
        "waiting",
        [
            *started(NOW - 600),
            user("does it hurt", "faq", 0.97, at=NOW - 590, topic="pain", channel="socketio"),
            *bot("Most people feel only a small pinch.", "utter_faq/pain"),
            *asks_for_a_person(NOW - 300),
        ],
    )
    await append_events(store, "earlier", [*started(NOW - 900), *asks_for_a_person(NOW - 800)])
    await append_events(
        store,
        "emergency",
        [*started(NOW - 200), *asks_for_a_person(NOW - 120), *emergency_while_paused(NOW - 60)],
    )
    await append_events(
        store,
        "taken",
        [
            *started(NOW - 1000),
            *asks_for_a_person(NOW - 950),
            *staff_joined("ana", NOW - 900),
            *staff_wrote("ana", "Hello, I'm Ana from the clinic.", NOW - 890),
        ],
    )
    await append_events(
        store,
        "handed_back",
        [*started(NOW - 700), *asks_for_a_person(NOW - 650), *staff_joined("ben", NOW - 640),
         *handed_back(NOW - 500)],
    )  # fmt: skip
    # Paused by something else than the live chat: not in it.
    await append_events(store, "paused_alone", [*started(NOW - 50), ConversationPaused()])
    await append_events(
        store,
        "called_back",
        [
            *started(NOW - 40 * 86400),
            user("how long does it last", "faq", at=NOW - 40 * 86400 + 1),
            *callback_given("Old Request", "old@example.org", NOW - 40 * 86400 + 10),
            user("what does it cost", "faq", at=NOW - 3000),
            *callback_given("Sam Lee", "+44 7700 900123", NOW - 2900),
        ],
    )


@dataclass
class Filled:
    """The live chat's store, and a writer on the same tracker store (the Rasa server's)."""

    live: LiveStore
    writer: sa.engine.Engine


@pytest.fixture
async def sqlite_live(tmp_path: Path) -> AsyncIterator[Filled]:
    path = tmp_path / "tracker.db"
    store = handoff_store(path)
    await fill(store)
    yield Filled(LiveStore(ConversationStore(StoreSettings(tracker_db=str(path)), 0.6)),
                 store.engine)  # fmt: skip
    store.engine.dispose()


@pytest.fixture
def schema() -> Iterator[str]:
    with fresh_schema("live") as name:
        yield name


@pytest.fixture
async def postgres_live(schema: str) -> AsyncIterator[Filled]:
    settings = StoreSettings(database_url=POSTGRES, database_schema=schema)
    create_schema(settings)
    store = SQLTrackerStore(domain=handoff_domain(), **postgres_arguments(settings))
    await fill(store)
    conversations = ConversationStore(settings, 0.6)
    yield Filled(LiveStore(conversations), store.engine)
    conversations.close()
    store.engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def filled(request: pytest.FixtureRequest) -> Filled:
    name = "sqlite_live" if request.param == "sqlite" else "postgres_live"
    found: Filled = request.getfixturevalue(name)
    return found


@pytest.fixture
def live(filled: Filled) -> LiveStore:
    return filled.live


def test_the_queue_has_the_waiting_emergencies_first_then_the_longest_waiting_then_the_taken(
    live: LiveStore,
) -> None:
    queue = live.live()
    assert [(c.sender, c.state, c.staff) for c in queue] == [
        ("emergency", "waiting", None),
        ("earlier", "waiting", None),
        ("waiting", "waiting", None),
        ("taken", "taken", "ana"),
    ]


def test_a_waiting_conversation_has_its_wait_channel_and_the_conversation_so_far(
    live: LiveStore,
) -> None:
    [waiting] = [c for c in live.live() if c.sender == "waiting"]
    assert waiting.requested_at == pytest.approx(NOW - 299.9)
    assert 299 < waiting.waited(time.time()) < 400
    assert waiting.channel == "rest"  # the latest message's channel
    assert [(m.sender_kind, m.text, m.intent) for m in waiting.messages] == [
        ("user", "does it hurt", "faq"),
        ("bot", "Most people feel only a small pinch.", None),
        ("user", "can I talk to a real person", "human_handoff"),
        ("bot", WAITING_TEXT, None),
    ]
    first = waiting.messages[0]
    assert (first.confidence, first.topic) == (0.97, "pain")
    assert waiting.emergency is False and waiting.emergency_earlier is False


def test_an_emergency_typed_while_waiting_is_marked(live: LiveStore) -> None:
    [emergency] = [c for c in live.live() if c.sender == "emergency"]
    assert emergency.emergency is True
    assert emergency.messages[-2].flags == ["emergency"]
    assert emergency.messages[-2].text == "my throat is swelling and I can't swallow"


def test_a_staff_members_message_is_theirs(live: LiveStore) -> None:
    [taken] = [c for c in live.live() if c.sender == "taken"]
    joined, wrote = taken.messages[-2:]
    assert (joined.staff, joined.handoff, joined.by_staff) == ("ana", "joined", False)
    assert (wrote.staff, wrote.by_staff, wrote.text) == (
        "ana",
        True,
        "Hello, I'm Ana from the clinic.",
    )


def test_one_conversation_is_read_alone(live: LiveStore) -> None:
    assert live.live_one("handed_back") is None
    assert live.live_one("no such visitor") is None
    found = live.live_one("taken")
    assert found is not None and found.state == "taken"
    assert set(live.live_of(["taken", "paused_alone"])) == {"taken", "paused_alone"}


def test_the_events_stored_after_a_cursor_are_new_once(filled: Filled) -> None:
    live = filled.live
    cursor = live.cursor()
    assert live.changes(cursor) == ([], cursor)
    with filled.writer.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO events (sender_id, type_name, timestamp, data) "
                "VALUES ('waiting', 'user', :at, :data)"
            ),
            {"at": time.time(), "data": json.dumps({"event": "user", "text": "still there?"})},
        )
    events, after = live.changes(cursor)
    assert [(e.sender, e.type_name, e.data["text"]) for e in events] == [
        ("waiting", "user", "still there?")
    ]
    assert after.high > cursor.high
    assert live.changes(after)[0] == []


def test_an_event_committed_late_with_a_lower_id_is_not_missed(filled: Filled) -> None:
    """With PostgreSQL and two Rasa servers, a turn's row may become visible after a row
    with a higher id was seen."""
    live, engine = filled.live, filled.writer
    insert = sa.text(
        "INSERT INTO events (id, sender_id, type_name, timestamp, data) "
        "VALUES (:id, 'waiting', 'user', :at, :data)"
    )
    high = live.cursor().high
    with engine.begin() as connection:
        connection.execute(insert, {"id": high + 20, "at": NOW, "data": '{"text": "second"}'})
    cursor = live.changes(live.cursor())[1]
    with engine.begin() as connection:
        connection.execute(insert, {"id": high + 10, "at": NOW, "data": '{"text": "first"}'})
    events, cursor = live.changes(cursor)
    assert [e.data["text"] for e in events] == ["first"]
    assert high + 10 > cursor.high - LOOK_BACK


def test_the_messages_after_a_row_id(live: LiveStore) -> None:
    [taken] = [c for c in live.live() if c.sender == "taken"]
    joined = taken.messages[-2]
    assert [m.text for m in live.messages_after("taken", joined.id)] == [
        "Hello, I'm Ana from the clinic."
    ]


def test_callback_requests_since_a_time_the_latest_first(live: LiveStore) -> None:
    [request] = live.callbacks(since=NOW - 30 * 86400)
    assert (request.sender, request.name, request.contact) == (
        "called_back",
        "Sam Lee",
        "+44 7700 900123",
    )
    assert request.requested_at == NOW - 2900
    assert request.question == ("what does it cost",)
    both = live.callbacks(since=NOW - 50 * 86400)
    assert [r.name for r in both] == ["Sam Lee", "Old Request"]


def test_an_empty_tracker_store_has_nothing(tmp_path: Path) -> None:
    empty = LiveStore(ConversationStore(StoreSettings(tracker_db=str(tmp_path / "no.db")), 0.6))
    assert empty.live() == []
    assert empty.changes(empty.cursor()) == ([], empty.cursor())
    assert empty.callbacks(since=0) == []
