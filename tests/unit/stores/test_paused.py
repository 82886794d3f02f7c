"""The paused conversations of the tracker store (stores/paused.py) and the intents of a
conversation's latest messages (stores/tracker.py), on the project's tracker store: its
SQLite file, and PostgreSQL in a schema of the site."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import (
    AwaitableTrackerStore,
    FailSafeTrackerStore,
    InMemoryTrackerStore,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ConversationPaused,
    ConversationResumed,
    Event,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from stores import paused as paused_module
from stores.paused import PausedConversations
from stores.tracker import ClinicTrackerStore, clinic_store
from tests.support.shared_stores import POSTGRES, fresh_schema


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ClinicTrackerStore]:
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
    if request.param == "sqlite":
        monkeypatch.delenv("DATABASE_URL", raising=False)
        yield ClinicTrackerStore(domain=Domain.empty())
        return
    with fresh_schema("paused") as schema:
        monkeypatch.setenv("DATABASE_URL", POSTGRES)
        monkeypatch.setenv("DATABASE_SCHEMA", schema)
        tracker_store = ClinicTrackerStore(domain=Domain.empty())
        yield tracker_store
        tracker_store.engine.dispose()


async def add(store: ClinicTrackerStore, sender_id: str, *events: Event) -> None:
    """Append ``events`` to the stored conversation of ``sender_id``."""
    tracker = await store.retrieve(sender_id) or DialogueStateTracker(sender_id, [])
    for event in events:
        tracker.update(event)
    await store.save(tracker)


def user(intent: str) -> UserUttered:
    return UserUttered(intent, {"name": intent, "confidence": 0.9})


async def test_the_paused_conversations_are_found_and_followed(store: ClinicTrackerStore) -> None:
    clock = Clock()
    paused = PausedConversations(clock=clock)
    await add(store, "a", user("greet"), ConversationPaused())
    await add(store, "b", user("greet"), ConversationPaused(), ConversationResumed())
    await add(store, "c", user("greet"))

    assert paused.refresh(store.engine) == {"a"}

    await add(store, "b", ConversationPaused())
    await add(store, "a", ConversationResumed())
    await add(store, "c", ConversationPaused(), ConversationResumed(), ConversationPaused())
    assert paused.refresh(store.engine) == {"b", "c"}
    await add(store, "b", ConversationResumed())
    assert paused.refresh(store.engine) == {"c"}


def commit_late(store: ClinicTrackerStore, event_id: int, sender_id: str) -> None:
    """Turn event ``event_id`` into a pause of ``sender_id``: as if that turn had been given
    its id before the later ones but committed after them (PostgreSQL)."""
    with store.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE events SET sender_id = :s, type_name = 'pause' WHERE id = :i"),
            {"s": sender_id, "i": event_id},
        )


async def test_between_scans_the_latest_ids_are_read_with_an_overlap(
    store: ClinicTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paused_module, "OVERLAP_IDS", 3)
    clock = Clock()
    paused = PausedConversations(clock=clock)
    for number in range(10):
        await add(store, f"other-{number}", user("greet"))  # ids 1 to 10
    assert paused.refresh(store.engine) == set()
    for number in range(10, 20):
        await add(store, f"other-{number}", user("greet"))  # ids 11 to 20
    assert paused.refresh(store.engine) == set()

    commit_late(store, 18, "within-the-overlap")
    commit_late(store, 5, "long-before")
    assert paused.refresh(store.engine) == {"within-the-overlap"}

    # What the reads between scans missed, the next whole scan finds.
    clock.now += paused_module.RESCAN_SECONDS
    assert paused.refresh(store.engine) == {"within-the-overlap", "long-before"}


async def test_a_conversation_forgotten_is_found_again_at_its_next_pause(
    store: ClinicTrackerStore,
) -> None:
    paused = PausedConversations(clock=Clock())
    await add(store, "a", user("greet"), ConversationPaused())
    assert paused.refresh(store.engine) == {"a"}

    paused.forget("a")
    for number in range(600):
        await add(store, f"other-{number}", user("greet"))
    assert paused.refresh(store.engine) == set()
    await add(store, "a", ConversationResumed(), ConversationPaused())
    assert paused.refresh(store.engine) == {"a"}


async def test_an_empty_store_has_no_paused_conversation(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'none.db'}")
    assert PausedConversations().refresh(engine) == set()
    engine.dispose()


async def test_the_latest_intents_come_latest_first(store: ClinicTrackerStore) -> None:
    await add(store, "a", user("greet"), user("ask_faq"), ConversationPaused())
    await add(store, "a", user("report_emergency_symptom"), user("thank"))

    assert await store.recent_intents("a", 3) == ["thank", "report_emergency_symptom", "ask_faq"]
    assert await store.recent_intents("nobody", 5) == []


def test_the_projects_store_is_found_inside_rasas_wrappers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
    inner = ClinicTrackerStore(domain=Domain.empty())

    assert clinic_store(FailSafeTrackerStore(inner)) is inner
    assert clinic_store(FailSafeTrackerStore(AwaitableTrackerStore(inner))) is inner
    assert clinic_store(inner) is inner
    assert clinic_store(FailSafeTrackerStore(InMemoryTrackerStore(Domain.empty()))) is None
    assert clinic_store(None) is None
