"""The live chat's updates (staff/live/feed.py): the task that looks at the tracker store
and tells the pages. Events are stored by Rasa's own SQLTrackerStore while it runs, as a
Rasa server (any of them) stores a turn."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import AsyncIterator, List, Optional, Type, TypeVar

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

from staff.conversations import ConversationStore
from staff.live import (
    LiveFeed,
    LiveStore,
    MessageUpdate,
    QueueUpdate,
    StateUpdate,
    Subscription,
    TypingUpdate,
)
from staff.live.feed import Closed, Update
from staff.live.wakeup import StoreWakeup
from stores import typing
from stores.notify import CHANNEL
from stores.settings import StoreSettings
from tests.support.stored_conversations import (
    append_events,
    asks_for_a_person,
    handed_back,
    handoff_store,
    staff_joined,
    started,
    user,
)

POLL = 0.05
U = TypeVar("U", bound=Update)


@pytest.fixture
def tracker(tmp_path: Path) -> SQLTrackerStore:
    return handoff_store(tmp_path / "tracker.db")


@pytest.fixture
async def feed(tmp_path: Path, tracker: SQLTrackerStore) -> AsyncIterator[LiveFeed]:
    now = time.time()
    await append_events(tracker, "anna", [*started(now - 100), *asks_for_a_person(now - 90)])
    store = LiveStore(
        ConversationStore(StoreSettings(tracker_db=str(tmp_path / "tracker.db")), 0.6)
    )
    watcher = LiveFeed(
        store, StoreWakeup(None, CHANNEL, POLL), reconcile_seconds=0.3, idle_seconds=0.2
    )
    yield watcher
    await watcher.close()


async def next_of(subscription: Subscription, kind: Type[U], within: float = 1.0) -> U:
    """The next update of ``kind`` within ``within`` seconds (others are skipped)."""
    deadline = time.monotonic() + within
    while True:
        left = deadline - time.monotonic()
        update: Optional[Update] = await subscription.next(max(0.0, left)) if left > 0 else None
        if update is None:
            raise AssertionError(f"no {kind.__name__} within {within} s")
        if isinstance(update, kind):
            return update


def senders(update: QueueUpdate) -> List[str]:
    return [c.sender for c in update.conversations]


async def test_a_page_gets_the_queue_at_once(feed: LiveFeed) -> None:
    subscription = await feed.subscribe()
    first = await next_of(subscription, QueueUpdate, within=0.01)
    assert senders(first) == ["anna"]
    assert [c.sender for c in await feed.queue()] == ["anna"]


async def test_a_conversation_that_starts_waiting_is_pushed_within_a_second(
    feed: LiveFeed, tracker: SQLTrackerStore
) -> None:
    subscription = await feed.subscribe()
    await next_of(subscription, QueueUpdate)
    stored = time.monotonic()
    await append_events(tracker, "ben", [*started(time.time()), *asks_for_a_person(time.time())])
    update = await next_of(subscription, QueueUpdate)
    assert time.monotonic() - stored < 1.0
    assert senders(update) == ["anna", "ben"]


async def test_a_visitor_message_reaches_the_page_that_shows_the_conversation_within_a_second(
    feed: LiveFeed, tracker: SQLTrackerStore
) -> None:
    watching = await feed.subscribe("anna")
    other = await feed.subscribe("someone else")
    await next_of(other, QueueUpdate)  # the queue as it was
    await append_events(tracker, "anna", [user("are you there?", "greet", at=time.time())])
    update = await next_of(watching, MessageUpdate)
    assert (update.sender, update.message.text, update.message.sender_kind) == (
        "anna",
        "are you there?",
        "user",
    )
    # The queue's copy of the conversation has it too; the other page gets only that.
    queue = await next_of(other, QueueUpdate)
    assert queue.conversations[0].messages[-1].text == "are you there?"
    with pytest.raises(AssertionError):
        await next_of(other, MessageUpdate, within=0.3)


async def test_a_take_and_a_hand_back_reach_the_page_of_the_conversation(
    feed: LiveFeed, tracker: SQLTrackerStore
) -> None:
    watching = await feed.subscribe("anna")
    await append_events(tracker, "anna", staff_joined("ana", time.time()))
    taken = await next_of(watching, StateUpdate)
    assert taken.live is not None and (taken.live.state, taken.live.staff) == ("taken", "ana")
    await append_events(tracker, "anna", handed_back(time.time()))
    back = await next_of(watching, StateUpdate)
    assert back.live is None
    assert senders(await next_of(watching, QueueUpdate)) == []


async def test_the_page_of_a_conversation_is_told_once_that_its_visitor_is_typing(
    feed: LiveFeed, tracker: SQLTrackerStore
) -> None:
    watching = await feed.subscribe("anna")
    other = await feed.subscribe("someone else")
    await next_of(other, QueueUpdate)
    typing.create(tracker.engine)  # as the project's tracker store makes it
    at = time.time()
    assert typing.record(tracker.engine, "anna", at)  # anna waits for a person: paused

    update = await next_of(watching, TypingUpdate)

    assert (update.sender, update.at) == ("anna", at)
    with pytest.raises(AssertionError):  # told once, and only to anna's page
        await next_of(watching, TypingUpdate, within=0.3)
    with pytest.raises(AssertionError):
        await next_of(other, TypingUpdate, within=0.1)


async def test_a_deleted_conversation_leaves_the_queue(
    feed: LiveFeed, tracker: SQLTrackerStore
) -> None:
    subscription = await feed.subscribe()
    await next_of(subscription, QueueUpdate)
    with tracker.engine.begin() as connection:  # make forget
        connection.execute(sa.text("DELETE FROM events WHERE sender_id = 'anna'"))
    assert senders(await next_of(subscription, QueueUpdate)) == []


async def test_the_task_stops_when_no_page_listens_and_starts_again(feed: LiveFeed) -> None:
    subscription = await feed.subscribe()
    assert feed.running
    feed.unsubscribe(subscription)
    await asyncio.sleep(0.6)
    assert not feed.running
    again = await feed.subscribe()
    assert feed.running
    assert senders(await next_of(again, QueueUpdate)) == ["anna"]


async def test_closing_ends_every_pages_stream(feed: LiveFeed) -> None:
    subscription = await feed.subscribe()
    await feed.close()
    assert isinstance(await next_of(subscription, Closed), Closed)
    assert not feed.running
