"""The stores chosen by environment variables (stores/), through Rasa's own loading."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from stores.settings import StoreSettings
from stores.tracker import ClinicTrackerStore, postgres_arguments
from tests.support.project import ROOT
from tests.support.shared_stores import fresh_schema

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/3"


def tracker_store() -> TrackerStore:
    """The tracker store endpoints.yml configures, created as the Rasa server does."""
    return TrackerStore.create(read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store"))


def lock_store() -> LockStore:
    """The lock store endpoints.yml configures, created as the Rasa server does."""
    return LockStore.create(read_endpoint_config(str(ROOT / "endpoints.yml"), "lock_store"))


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("DATABASE_URL", "DATABASE_SCHEMA", "REDIS_URL", "LOCK_STORE_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SANIC_WORKERS", "1")
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
    return tmp_path / "tracker.db"


@pytest.fixture
def schema() -> Iterator[str]:
    """A PostgreSQL schema name of this test, dropped afterwards."""
    with fresh_schema("site") as name:
        yield name


async def test_by_default_conversations_go_to_the_sqlite_file(clean_env: Path) -> None:
    store = tracker_store()
    assert isinstance(store, ClinicTrackerStore)
    assert store.engine.url.get_backend_name() == "sqlite"
    await store.save(DialogueStateTracker.from_events("v1", [UserUttered("hi")]))
    assert clean_env.exists()
    assert await store.keys() == ["v1"]


@pytest.mark.postgres
async def test_database_url_switches_to_postgresql_in_the_sites_schema(
    clean_env: Path, schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    monkeypatch.setenv("DATABASE_SCHEMA", schema)
    store = tracker_store()
    assert isinstance(store, ClinicTrackerStore)
    assert store.engine.url.get_backend_name() == "postgresql"
    await store.save(DialogueStateTracker.from_events("v2", [UserUttered("hello")]))

    engine = sa.create_engine(POSTGRES)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(f"SELECT sender_id FROM {schema}.events ORDER BY id")
        ).fetchall()
    engine.dispose()
    assert [row[0] for row in rows] == ["v2"]
    assert not clean_env.exists()


def test_the_postgres_url_becomes_rasas_arguments() -> None:
    settings = StoreSettings(
        database_url="postgresql://rasa:secret@db.internal:6543/clinic", database_schema="s1"
    )
    assert postgres_arguments(settings) == {
        "dialect": "postgresql",
        "host": "db.internal",
        "port": 6543,
        "db": "clinic",
        "username": "rasa",
        "password": "secret",
        "query": {"options": "-csearch_path=s1"},
    }


def test_a_database_url_that_is_not_postgres_is_refused() -> None:
    with pytest.raises(ValueError, match="postgresql://"):
        postgres_arguments(StoreSettings(database_url="mysql://u@h/db"))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_SCHEMA", "Robert'); DROP"),
        ("LOCK_STORE_PREFIX", "a b"),
        # Rasa's Redis lock store ignores a prefix that is not letters and digits alone,
        # and would share its keys with every other deployment of the Redis.
        ("LOCK_STORE_PREFIX", "site_a"),
        ("LOCK_STORE_PREFIX", "site-a"),
        ("SANIC_WORKERS", "x"),
    ],
)
def test_unusable_settings_are_named(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        StoreSettings.from_env({name: value})


def test_by_default_locks_are_in_memory(clean_env: Path) -> None:
    assert isinstance(lock_store(), InMemoryLockStore)


@pytest.mark.redis
def test_redis_url_switches_to_the_redis_lock_store(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", REDIS)
    monkeypatch.setenv("LOCK_STORE_PREFIX", f"test{uuid.uuid4().hex[:6]}")
    store = lock_store()
    assert isinstance(store, RedisLockStore)
    # A lock taken through it is in Redis under this deployment's prefix.
    ticket = store.issue_ticket("visitor-9")
    lock = store.get_lock("visitor-9")
    assert lock is not None and lock.is_someone_waiting()
    keys = store.red.keys("*visitor-9")
    assert keys and keys[0].decode().startswith(store.key_prefix)
    store.finish_serving("visitor-9", ticket)
    store.red.delete(*keys)


def test_several_workers_without_redis_are_refused(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANIC_WORKERS", "2")
    with pytest.raises(ValueError, match="SANIC_WORKERS=2 needs REDIS_URL"):
        lock_store()


class RecordingBroker(EventBroker):
    """An event broker that keeps what it is given."""

    def __init__(self) -> None:
        self.published: List[Dict[str, Any]] = []

    def publish(self, event: Dict[str, Any]) -> None:
        self.published.append(event)


async def test_saving_hands_the_broker_each_stored_event_once_in_rasas_format(
    clean_env: Path,
) -> None:
    recorder = RecordingBroker()
    store = ClinicTrackerStore(event_broker=recorder)
    tracker = DialogueStateTracker.from_events(
        "v5", [ActionExecuted("action_listen"), UserUttered("hi", {"name": "greet"})]
    )
    await store.save(tracker)
    tracker.update(BotUttered("Hello!"))
    await store.save(tracker)
    await store.save(tracker)  # nothing new: nothing published

    expected = [{"sender_id": "v5", **event.as_dict()} for event in tracker.events]
    assert recorder.published == expected
    stored = await store.retrieve("v5")
    assert stored is not None and list(stored.events) == list(tracker.events)


async def test_a_save_that_is_retried_publishes_once(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = RecordingBroker()
    store = ClinicTrackerStore(event_broker=recorder)
    real_scope = store.session_scope
    calls = {"n": 0}

    @contextmanager
    def flaky_scope() -> Iterator[Any]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))
        with real_scope() as session:
            yield session

    monkeypatch.setattr(store, "session_scope", flaky_scope)
    tracker = DialogueStateTracker.from_events("v6", [UserUttered("hi")])
    await store.save(tracker)
    assert calls["n"] == 2
    assert [event["sender_id"] for event in recorder.published] == ["v6"]
