"""When the live chat looks again (staff/live/wakeup.py): at once on PostgreSQL's signal of a
save by the project's tracker store, else after the time between looks; a listener whose
connection ends goes back to looking at intervals and connects again."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import AsyncIterator, Iterator, Tuple, Type, TypeVar

import psycopg2
import pytest
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

from staff.conversations import ConversationStore
from staff.live import LiveFeed, LiveStore, MessageUpdate, QueueUpdate, Subscription
from staff.live import wakeup as wakeup_module
from staff.live.feed import Update
from staff.live.wakeup import StoreWakeup, store_wakeup
from stores import notify
from stores.settings import StoreSettings
from stores.tracker import ClinicTrackerStore
from tests.support.handoff import handoff_domain
from tests.support.shared_stores import POSTGRES, fresh_schema
from tests.support.stored_conversations import asks_for_a_person, started, user

#: So long that only a signal can explain a look within a second.
LONG = 30.0
U = TypeVar("U", bound=Update)


async def until(condition: object, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not within the time"
        await asyncio.sleep(0.02)


def signal(channel: str) -> None:
    """What a save does (stores/tracker.py), from a connection of its own."""
    connection = psycopg2.connect(POSTGRES)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, '')", (channel,))
    connection.close()


async def test_without_signals_it_waits_the_time_between_looks() -> None:
    wakeup = StoreWakeup(None, notify.CHANNEL, 0.05)
    await wakeup.start()
    started_at = time.monotonic()

    assert await wakeup.wait() is False

    assert not wakeup.listening
    assert 0.04 < time.monotonic() - started_at < 1.0
    await wakeup.stop()


def test_the_sqlite_file_has_no_signal_and_postgresql_one_per_schema() -> None:
    assert store_wakeup(StoreSettings(), 0.4)._connect is None
    site = StoreSettings(database_url=POSTGRES, database_schema="clinic_a")
    assert store_wakeup(site, 0.4).channel == "clinic_events_clinic_a"
    assert notify.channel(StoreSettings(database_url=POSTGRES)) == "clinic_events"
    long = notify.channel(StoreSettings(database_url=POSTGRES, database_schema="s" * 63))
    assert len(long) <= 63 and long != notify.channel(
        StoreSettings(database_url=POSTGRES, database_schema="s" * 62 + "t")
    )


@pytest.fixture
def site() -> Iterator[StoreSettings]:
    with fresh_schema("wakeup") as schema:
        yield StoreSettings(database_url=POSTGRES, database_schema=schema)


@pytest.fixture
async def listening(site: StoreSettings) -> AsyncIterator[StoreWakeup]:
    wakeup = store_wakeup(site, LONG)
    await wakeup.start()
    await until(lambda: wakeup.listening)
    assert await wakeup.wait() is True  # the look at once after connecting
    yield wakeup
    await wakeup.stop()


@pytest.mark.postgres
async def test_a_signal_on_the_sites_channel_wakes_it_at_once(
    listening: StoreWakeup, site: StoreSettings
) -> None:
    signal(notify.channel(StoreSettings(database_url=POSTGRES, database_schema="another")))
    signal(listening.channel)
    started_at = time.monotonic()

    assert await listening.wait() is True

    assert time.monotonic() - started_at < 1.0


@pytest.mark.postgres
async def test_a_save_of_the_tracker_store_signals_and_a_save_of_nothing_does_not(
    listening: StoreWakeup, site: StoreSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", site.database_url)
    monkeypatch.setenv("DATABASE_SCHEMA", site.database_schema)
    monkeypatch.delenv("REDIS_URL", raising=False)
    store = ClinicTrackerStore()
    tracker = DialogueStateTracker("visitor", slots=[])
    tracker.update(ActionExecuted("action_listen"))
    try:
        await store.save(tracker)
        assert await asyncio.wait_for(listening.wait(), 1.0) is True
        await store.save(tracker)  # nothing new
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(listening.wait(), 0.5)
    finally:
        store.engine.dispose()


@pytest.mark.postgres
async def test_a_connection_that_ends_is_made_again(
    listening: StoreWakeup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wakeup_module, "RECONNECT_SECONDS", 0.2)
    pid = listening._connection.get_backend_pid()
    admin = psycopg2.connect(POSTGRES)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
    admin.close()

    assert await asyncio.wait_for(listening.wait(), 2.0) is True  # told: look now
    assert not listening.listening
    await until(lambda: listening.listening)
    await listening.wait()  # the look after connecting again
    signal(listening.channel)
    assert await asyncio.wait_for(listening.wait(), 1.0) is True


@pytest.fixture
async def feed_on_postgresql(
    site: StoreSettings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> AsyncIterator[Tuple[LiveFeed, ClinicTrackerStore]]:
    monkeypatch.setenv("DATABASE_URL", site.database_url)
    monkeypatch.setenv("DATABASE_SCHEMA", site.database_schema)
    monkeypatch.delenv("REDIS_URL", raising=False)
    tracker = ClinicTrackerStore()
    feed = LiveFeed(LiveStore(ConversationStore(site, 0.6)), store_wakeup(site, LONG))
    yield feed, tracker
    await feed.close()
    tracker.engine.dispose()


async def save(store: ClinicTrackerStore, sender: str, *events: Event) -> None:
    tracker = await store.retrieve(sender) or DialogueStateTracker(sender, handoff_domain().slots)
    for event in events:
        tracker.update(event)
    await store.save(tracker)


async def next_of(subscription: Subscription, kind: Type[U], within: float = 1.0) -> U:
    """The next update of ``kind`` within ``within`` seconds (others are skipped)."""
    deadline = time.monotonic() + within
    while True:
        update = await subscription.next(max(0.0, deadline - time.monotonic()))
        if update is None:
            raise AssertionError(f"no {kind.__name__} within {within} s")
        if isinstance(update, kind):
            return update


@pytest.mark.postgres
async def test_the_live_chat_hears_of_a_visitor_at_once_though_it_looks_only_every_30_s(
    feed_on_postgresql: Tuple[LiveFeed, ClinicTrackerStore],
) -> None:
    feed, tracker = feed_on_postgresql
    subscription = await feed.subscribe("anna")
    await until(lambda: feed.wakeup.listening)
    assert (await next_of(subscription, QueueUpdate)).conversations == ()

    now = time.time()
    await save(tracker, "anna", *started(now), *asks_for_a_person(now))
    queue = await next_of(subscription, QueueUpdate)
    assert [c.sender for c in queue.conversations] == ["anna"]

    await save(tracker, "anna", user("hello?", "greet", at=time.time()))
    message = await next_of(subscription, MessageUpdate)
    assert message.message.text == "hello?"
