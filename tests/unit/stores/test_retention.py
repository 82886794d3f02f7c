"""make forget / make purge (stores/retention.py) on SQLite and on PostgreSQL."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Iterator, List

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from stores import retention
from stores.sender_tag import sender_tag

DAY = 86400.0
NOW = time.time()
POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


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


def test_the_report_says_what_was_deleted() -> None:
    assert retention.report([], "purge") == "purge: nothing to delete."
    text = retention.report([retention.Deleted("a", 3), retention.Deleted("b", 2)], "purge")
    assert text.splitlines() == [
        "purge: deleted 2 conversation(s), 5 event(s):",
        f"  sender {sender_tag('a')}: 3 event(s)",
        f"  sender {sender_tag('b')}: 2 event(s)",
    ]


async def test_purge_names_the_conversations_by_their_tags_forget_by_the_id_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
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
    assert (
        purged.splitlines()[0]
        == "purge older than 30 day(s): deleted 3 conversation(s), 9 event(s):"
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
