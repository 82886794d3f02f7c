"""When a website visitor talking to a person last typed (stores/typing.py), in the project's
tracker store on SQLite and on PostgreSQL: noted only while the conversation is paused, read
back by the staff app's query, and deleted with the conversation."""

from __future__ import annotations

import time
from typing import List

import pytest
from rasa.shared.core.events import (
    ActionExecuted,
    ConversationPaused,
    ConversationResumed,
    Event,
    SessionStarted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import Connection

from stores import retention, typing
from stores.tracker import ClinicTrackerStore

NOW = time.time()


async def save(store: ClinicTrackerStore, sender: str, events: List[Event]) -> None:
    tracker = await store.retrieve(sender) or DialogueStateTracker(sender, slots=[])
    for event in events:
        tracker.update(event)
    await store.save(tracker)


def started(at: float) -> List[Event]:
    return [
        ActionExecuted("action_session_start", timestamp=at),
        SessionStarted(timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
        UserUttered("can I talk to a person", {"name": "human_handoff"}, timestamp=at),
    ]


def typed(store: ClinicTrackerStore, senders: List[str], after: float = 0.0) -> dict:
    with store.engine.connect() as connection:
        return typing.typing_since(connection, senders, after)


async def test_typing_is_noted_only_while_the_conversation_is_with_a_person(
    clinic_store: ClinicTrackerStore,
) -> None:
    await save(clinic_store, "visitor", started(NOW))
    assert await clinic_store.record_typing("visitor", NOW + 1) is False
    assert await clinic_store.record_typing("nobody", NOW + 1) is False

    await save(clinic_store, "visitor", [ConversationPaused(timestamp=NOW + 2)])
    assert await clinic_store.record_typing("visitor", NOW + 3) is True
    assert await clinic_store.record_typing("visitor", NOW + 5) is True
    assert typed(clinic_store, ["visitor", "nobody"]) == {"visitor": NOW + 5}
    assert typed(clinic_store, ["visitor"], after=NOW + 5) == {}

    await save(clinic_store, "visitor", [ConversationResumed(timestamp=NOW + 6)])
    assert await clinic_store.record_typing("visitor", NOW + 7) is False
    await save(clinic_store, "visitor", [ConversationPaused(timestamp=NOW + 8)])
    await save(clinic_store, "visitor", started(NOW + 9))  # a new session ends the pause
    assert await clinic_store.record_typing("visitor", NOW + 10) is False
    assert typed(clinic_store, ["visitor"]) == {"visitor": NOW + 5}


async def test_forget_deletes_when_the_visitor_typed_with_the_conversation(
    clinic_store: ClinicTrackerStore,
) -> None:
    for sender in ("visitor", "other"):
        await save(clinic_store, sender, [*started(NOW), ConversationPaused(timestamp=NOW)])
        assert await clinic_store.record_typing(sender, NOW + 1) is True

    retention.forget(clinic_store, "visitor")

    assert typed(clinic_store, ["visitor", "other"]) == {"other": NOW + 1}


async def test_forget_on_a_store_made_before_the_table_deletes_the_conversation(
    clinic_store: ClinicTrackerStore,
) -> None:
    await save(clinic_store, "visitor", started(NOW))
    with clinic_store.engine.begin() as connection:
        typing.TYPING.drop(connection)

    assert retention.forget(clinic_store, "visitor") == [retention.Deleted("visitor", 4)]


async def test_purge_deletes_when_the_visitors_typed_asking_once_whether_the_table_exists(
    clinic_store: ClinicTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    for sender in ("old-1", "old-2", "recent"):
        at = NOW if sender == "recent" else NOW - 40 * retention.SECONDS_PER_DAY
        await save(clinic_store, sender, [*started(at), ConversationPaused(timestamp=at)])
        assert await clinic_store.record_typing(sender, at + 1) is True
    asked: List[bool] = []
    exists = typing.exists

    def counted(connection: Connection) -> bool:
        asked.append(True)
        return exists(connection)

    monkeypatch.setattr(typing, "exists", counted)

    deleted = retention.purge(clinic_store, days=30, now=NOW + 2)

    assert sorted(d.sender_id for d in deleted) == ["old-1", "old-2"]
    assert typed(clinic_store, ["old-1", "old-2", "recent"]) == {"recent": NOW + 1}
    assert len(asked) == 1
