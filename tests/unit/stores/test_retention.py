"""make forget / make purge (stores/retention.py) on SQLite and on PostgreSQL, also while
the assistant stores a turn of the same conversation."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Iterator, List

import pytest
import sqlalchemy as sa
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from clinic.config import Clinic
from stores import retention
from stores.sender_tag import sender_tag
from stores.tracker import ClinicTrackerStore

DAY = 86400.0
NOW = time.time()
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/5"


def conversation(sender: str, days_ago: float) -> DialogueStateTracker:
    """A short conversation whose last event was ``days_ago`` days ago."""
    end = NOW - days_ago * DAY
    events = [
        UserUttered("hello", {"name": "greet"}, timestamp=end - 2),
        ActionExecuted("utter_greet", timestamp=end - 1),
        BotUttered("Hello!", timestamp=end),
    ]
    return DialogueStateTracker.from_events(sender, events)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLTrackerStore]:
    """An empty SQL tracker store: a SQLite file, or a schema of its own in PostgreSQL."""
    if request.param == "sqlite":
        yield SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
        return
    schema = f"retention_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield SQLTrackerStore(
            dialect="postgresql",
            host="127.0.0.1",
            port=5432,
            db="test",
            username="postgres",
            query={"options": f"-csearch_path={schema}"},
        )
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


async def fill(store: SQLTrackerStore, trackers: List[DialogueStateTracker]) -> None:
    for tracker in trackers:
        await store.save(tracker)


async def senders(store: SQLTrackerStore) -> List[str]:
    return sorted(await store.keys())


async def test_forget_deletes_one_conversation_and_nothing_else(store: SQLTrackerStore) -> None:
    await fill(store, [conversation("anna", 1), conversation("ben", 1)])

    deleted = retention.forget(store, "anna")

    assert deleted == [retention.Deleted("anna", 3)]
    assert await senders(store) == ["ben"]
    ben = await store.retrieve("ben")
    assert ben is not None and len(ben.events) == 3
    assert retention.forget(store, "anna") == []


async def test_purge_deletes_conversations_quiet_for_longer_than_the_days(
    store: SQLTrackerStore,
) -> None:
    await fill(
        store,
        [conversation("old", 40), conversation("recent", 5), conversation("today", 0)],
    )
    # A conversation that started long ago but went on recently is kept whole.
    long_running = conversation("long-running", 40)
    long_running.update(UserUttered("and now?", {"name": "faq"}, timestamp=NOW - DAY))
    await fill(store, [long_running])

    deleted = retention.purge(store, 30, now=NOW)

    assert deleted == [retention.Deleted("old", 3)]
    assert await senders(store) == ["long-running", "recent", "today"]
    kept = await store.retrieve("long-running")
    assert kept is not None and len(kept.events) == 4


def with_callback(sender: str, days_ago: float, confirmed: bool = True) -> DialogueStateTracker:
    """A conversation that gave a name and a number for a call back ``days_ago`` days ago
    (the call back confirmed: ``callback_requested_at`` set), then went quiet."""
    at = NOW - days_ago * DAY
    tracker = conversation(sender, days_ago)
    tracker.update(SlotSet("callback_name", "Sam Lee", timestamp=at))
    tracker.update(SlotSet("callback_contact", "+15550177123", timestamp=at))
    if confirmed:
        tracker.update(SlotSet("callback_requested_at", at, timestamp=at))
    return tracker


async def test_purge_deletes_call_back_requests_kept_their_days_even_in_recent_talk(
    store: SQLTrackerStore,
) -> None:
    """clinic.yml's callback_keep_days: a name and a number are kept that long, whatever
    the conversations are kept for; the whole conversation goes with them."""
    asked_long_ago = with_callback("asked-long-ago", 31)
    asked_long_ago.update(UserUttered("one more question", {"name": "faq"}, timestamp=NOW))
    await fill(
        store, [asked_long_ago, with_callback("asked-lately", 5), conversation("plain", 31)]
    )

    deleted = retention.purge(store, 90, now=NOW, callback_days=30)

    assert [d.sender_id for d in deleted] == ["asked-long-ago"]
    assert await senders(store) == ["asked-lately", "plain"]
    # Without the setting (handoff off), nothing is kept less long than the DAYS.
    await fill(store, [with_callback("other", 31)])
    assert retention.purge(store, 90, now=NOW) == []


def test_the_report_says_what_was_deleted() -> None:
    assert retention.report([], "purge") == "purge: nothing to delete."
    text = retention.report([retention.Deleted("a", 3), retention.Deleted("b", 2)], "purge")
    assert text.splitlines() == [
        "purge: deleted 2 conversation(s), 5 event(s):",
        f"  sender {sender_tag('a')}: 3 event(s)",
        f"  sender {sender_tag('b')}: 2 event(s)",
    ]


async def test_purge_names_the_conversations_by_their_tags_forget_by_the_id_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clinic: Clinic
) -> None:
    db = tmp_path / "tracker.db"
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {db}\n")
    old = ["twilio:+15550177001", "whatsapp:15550177004", "ana.lopez@example.com"]
    await fill(
        SQLTrackerStore(dialect="sqlite", db=str(db)),
        [conversation(sender, 40) for sender in old] + [conversation("twilio:+15550177002", 1)],
    )

    assert retention.main(["--endpoints", str(endpoints), "purge", "30"]) == 0
    purged = capsys.readouterr().out
    assert retention.main(["--endpoints", str(endpoints), "forget", "twilio:+15550177002"]) == 0
    forgotten = capsys.readouterr().out

    for personal in ("5550177001", "5550177004", "ana.lopez"):
        assert personal not in purged
    assert clinic.handoff is not None
    keep = clinic.handoff.callback_keep_days
    assert purged.splitlines()[0] == (
        f"purge older than 30 day(s), and call-back requests older than {keep} day(s): "
        "deleted 3 conversation(s), 9 event(s):"
    )
    assert sorted(purged.splitlines()[1:]) == sorted(
        f"  sender {sender_tag(sender)}: 3 event(s)" for sender in old
    )
    assert forgotten.splitlines() == [
        "forget 'twilio:+15550177002': deleted 1 conversation(s), 3 event(s):",
        "  twilio:+15550177002: 3 event(s)",
    ]


async def test_the_command_uses_the_endpoints_tracker_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "tracker.db"
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {db}\n")
    await fill(SQLTrackerStore(dialect="sqlite", db=str(db)), [conversation("visitor-7", 2)])

    assert retention.main(["--endpoints", str(endpoints), "forget", "visitor-7"]) == 0

    assert "forget 'visitor-7': deleted 1 conversation(s), 3 event(s):" in capsys.readouterr().out
    assert await senders(SQLTrackerStore(dialect="sqlite", db=str(db))) == []


def test_a_missing_sender_or_negative_days_is_refused() -> None:
    with pytest.raises(SystemExit):
        retention.main(["forget", " "])
    with pytest.raises(SystemExit):
        retention.main(["purge", "-1"])


def test_a_store_that_is_not_sql_is_refused(tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: in_memory\n")
    with pytest.raises(SystemExit, match="SQL tracker store"):
        retention.open_store(endpoints)


# Racing with the assistant (issue 16, finding 6).


async def test_a_turn_stored_between_the_purges_choice_and_its_delete_is_kept(
    store: SQLTrackerStore,
) -> None:
    """The visitor of a quiet conversation writes again just as purge chose it: the new
    turn, stored before purge deletes, keeps the conversation (whole)."""
    await fill(store, [conversation("quiet", 40), conversation("old", 40)])
    table = store.SQLEvent.__table__
    again = UserUttered("I'm back with a question", {"name": "greet"}, timestamp=NOW)
    server = sa.create_engine(store.engine.url)  # the Rasa server's own connection
    stored: List[str] = []

    def a_new_turn_first(*args: Any) -> None:
        statement = str(args[2])
        if statement.lstrip().upper().startswith("DELETE") and not stored:
            with server.begin() as connection:
                connection.execute(
                    table.insert().values(
                        sender_id="quiet",
                        type_name=again.type_name,
                        timestamp=again.timestamp,
                        intent_name="greet",
                        data=json.dumps(again.as_dict()),
                    )
                )
            stored.append("quiet")

    sa.event.listen(store.engine, "before_cursor_execute", a_new_turn_first)
    try:
        deleted = retention.purge(store, 30, now=NOW)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", a_new_turn_first)
        server.dispose()

    assert stored == ["quiet"]
    assert deleted == [retention.Deleted("old", 3)]
    kept = await store.retrieve("quiet")
    assert kept is not None
    assert [e.text for e in kept.events if isinstance(e, UserUttered)] == [
        "hello",
        "I'm back with a question",
    ]


@pytest.mark.parametrize("command", ["forget", "purge"])
async def test_a_turn_in_progress_does_not_write_a_deleted_conversation_back(
    clinic_store: ClinicTrackerStore, command: str
) -> None:
    """The server read the conversation for a turn, the conversation was deleted, then
    the turn is stored: only the new turn is, not the deleted messages (with locks in
    memory, the embedded default, make forget cannot wait for the turn)."""
    await fill(clinic_store, [conversation("visitor", 40)])
    turn = await clinic_store.retrieve("visitor")
    assert turn is not None

    if command == "forget":
        assert retention.forget(clinic_store, "visitor") == [retention.Deleted("visitor", 3)]
    else:
        assert retention.purge(clinic_store, 30, now=NOW) == [retention.Deleted("visitor", 3)]
    turn.update(UserUttered("one more question", {"name": "faq"}, timestamp=NOW))
    turn.update(BotUttered("An answer.", timestamp=NOW + 1))
    await clinic_store.save(turn)

    stored = await clinic_store.retrieve("visitor")
    assert stored is not None
    assert [(e.type_name, getattr(e, "text", None)) for e in stored.events] == [
        ("user", "one more question"),
        ("bot", "An answer."),
    ]


def run_and_note(arguments: List[str], done: threading.Event) -> None:
    """Run the command (stores/retention.py) with ``arguments``, then set ``done``."""
    retention.main(arguments)
    done.set()


@pytest.mark.redis
def test_forget_and_purge_wait_for_a_turn_in_progress_on_the_shared_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With REDIS_URL, a turn holds the conversation's lock in Redis while the server
    answers; make forget and make purge take the same lock, so they delete once the turn
    is stored, never while it is being answered."""
    monkeypatch.setenv("REDIS_URL", REDIS)
    monkeypatch.setenv("LOCK_STORE_PREFIX", f"retention{uuid.uuid4().hex[:8]}")
    db = tmp_path / "tracker.db"
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {db}\n"
        "lock_store:\n  type: stores.lock.ClinicLockStore\n"
    )
    asyncio.run(fill(SQLTrackerStore(dialect="sqlite", db=str(db)), [conversation("v1", 40)]))
    server_locks = LockStore.create(read_endpoint_config(str(endpoints), "lock_store"))
    assert isinstance(server_locks, RedisLockStore)

    for command in (["forget", "v1"], ["purge", "30"]):
        ticket = server_locks.issue_ticket("v1")  # the server answers a message of v1
        done = threading.Event()
        arguments = ["--endpoints", str(endpoints), *command]
        command_thread = threading.Thread(target=run_and_note, args=(arguments, done))
        command_thread.start()
        try:
            assert not done.wait(1.5), f"{command[0]} did not wait for the turn in progress"
            assert asyncio.run(senders(SQLTrackerStore(dialect="sqlite", db=str(db)))) == ["v1"]
        finally:
            server_locks.cleanup("v1", ticket)  # the turn is stored: the lock is free
        command_thread.join(30)
        assert done.is_set()
        assert asyncio.run(senders(SQLTrackerStore(dialect="sqlite", db=str(db)))) == []
        asyncio.run(fill(SQLTrackerStore(dialect="sqlite", db=str(db)), [conversation("v1", 40)]))


def test_without_a_shared_lock_on_postgresql_the_operator_is_told_to_run_it_again(
    store: SQLTrackerStore,
) -> None:
    """PostgreSQL lets a turn in progress save after the delete (SQLite runs one write at a
    time); without the Rasa servers' Redis lock store nothing stops it."""
    note = retention.unlocked_note(store, None)
    if store.engine.dialect.name == "postgresql":
        assert note is not None and "run the command again in a minute" in note
    else:
        assert note is None
    assert retention.unlocked_note(store, InMemoryLockStore()) is None
