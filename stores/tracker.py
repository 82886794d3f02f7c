"""The tracker store: an SQLite file by default, PostgreSQL when ``DATABASE_URL`` is set.

When the database cannot be reached, Rasa would carry on with a conversation kept in memory
(its fail-safe store) and lose every turn answered meanwhile. Instead this store waits for
the database (``DATABASE_WAIT_SECONDS``, 10 by default, retrying), and if it is still away
raises :class:`StoreUnavailable`, which Rasa's fail-safe does not catch: the channel then
tells the visitor to try again (``channels/limits.py``), and no answered turn is lost.

A conversation deleted (``make forget``, ``make purge``) while the server was answering one
of its messages is not written back when that turn is stored: only the turn's own new events
are (Rasa's store would find none of the conversation stored and write it all again).

Answers a visitor withdrew (the call-back questions stopped) are rewritten out of the stored
conversation when the withdrawal is saved (``stores/withdrawn.py``). On PostgreSQL, each save
that stores events signals it (``NOTIFY``, ``stores/notify.py``) for the staff app's live chat.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, TypeVar

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from stores import notify, typing
from stores.settings import StoreSettings
from stores.withdrawn import events_holding, same_event, withdrawn, withdrawn_slots

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: The attribute of a tracker this store read (or stored): how many of its events the
#: database held then (:meth:`ClinicTrackerStore._new_events`).
EVENTS_STORED = "_clinic_events_stored"


class StoreUnavailable(BaseException):
    """The tracker store's database cannot be reached.

    A BaseException on purpose: Rasa's fail-safe tracker store catches every Exception and
    goes on in memory, which would lose the turns answered meanwhile.
    """


def wait_seconds() -> float:
    """``$DATABASE_WAIT_SECONDS``: how long to wait for the database before giving up."""
    try:
        return max(0.0, float(os.environ.get("DATABASE_WAIT_SECONDS", "") or 10))
    except ValueError:
        return 10.0


def postgres_arguments(settings: StoreSettings) -> Dict[str, Any]:
    """Rasa's SQLTrackerStore arguments for ``settings.database_url``.

    Raises:
        ValueError: when the URL is not a PostgreSQL URL.
    """
    url = sa.engine.make_url(settings.database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError(
            f"DATABASE_URL must be a postgresql:// URL, not '{url.get_backend_name()}://'."
        )
    query: Dict[str, str] = dict(url.query)
    if settings.database_schema:
        query["options"] = f"-csearch_path={settings.database_schema}"
    return {
        "dialect": url.drivername,
        "host": url.host or "localhost",
        "port": url.port,
        "db": url.database or "postgres",
        "username": url.username,
        "password": url.password,
        "query": query,
    }


def create_schema(settings: StoreSettings) -> None:
    """Create this site's PostgreSQL schema if it is not there (Rasa creates the tables)."""
    engine = sa.create_engine(settings.database_url)
    try:
        with engine.begin() as connection:
            schema = connection.dialect.identifier_preparer.quote(settings.database_schema)
            connection.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    finally:
        engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # Write-ahead log: a commit appends to the log instead of rewriting the database
        # through a rollback journal; readers (make forget, make purge, the staff app) do
        # not block the server. synchronous=FULL keeps every commit on disk when it
        # returns, as with the default journal: a confirmed turn survives a power cut.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=5000")
    finally:
        cursor.close()


def sqlite_engine(path: str) -> sa.engine.Engine:
    """The engine of the embedded SQLite tracker store.

    Rasa's own (SQLAlchemy's default for a file) opens and closes a connection for every
    load and save of a conversation, with the rollback journal; this one keeps a connection
    open and writes through a write-ahead log, about 0.8 ms less per turn on these machines
    (``bench/``). Rasa's server uses it from one thread; other threads get their own
    connection from the pool.
    """
    engine = sa.create_engine(
        f"sqlite:///{path}",
        poolclass=sa.pool.QueuePool,
        pool_size=2,
        connect_args={"check_same_thread": False},
    )
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class ClinicTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on SQLite (``TRACKER_DB``) or PostgreSQL (``DATABASE_URL``,
    in the schema ``DATABASE_SCHEMA`` when it is set)."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        # endpoints.yml passes nothing else: the settings come from the environment.
        kwargs.pop("host", None)
        settings = StoreSettings.from_env()
        if settings.database_url:
            if settings.database_schema:
                create_schema(settings)
            arguments = postgres_arguments(settings)
            logger.info(
                "Tracker store: PostgreSQL %s:%s/%s%s",
                arguments["host"],
                arguments["port"] or 5432,
                arguments["db"],
                f", schema {settings.database_schema}" if settings.database_schema else "",
            )
        else:
            arguments = {"dialect": "sqlite", "db": settings.tracker_db}
            logger.info("Tracker store: SQLite %s", settings.tracker_db)
        super().__init__(domain=domain, event_broker=event_broker, **arguments)
        #: The channel a save's NOTIFY goes to (PostgreSQL), or None (stores/notify.py).
        self.notify_channel = notify.channel(settings) if notify.signals(settings) else None
        if not settings.database_url:
            rasa_engine: sa.engine.Engine = self.engine  # type: ignore[has-type]
            rasa_engine.dispose()
            engine = sqlite_engine(settings.tracker_db)
            self.engine = engine
            self.sessionmaker = sa.orm.session.sessionmaker(bind=engine)
        typing.create(self.engine)

    async def _with_database(self, call: Callable[[], Awaitable[T]]) -> T:
        """Run ``call``; while the database is unreachable, retry, then give up."""
        deadline = time.monotonic() + wait_seconds()
        delay = 0.2
        while True:
            try:
                return await call()
            except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
                # Connections of the pool may be broken (the database restarted): drop them.
                self.engine.dispose()
                if time.monotonic() + delay > deadline:
                    logger.error("Tracker store unreachable: %s", type(error.orig).__name__)
                    raise StoreUnavailable(
                        "the conversation database cannot be reached"
                    ) from error
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """Rasa's retrieve, waiting for the database; the tracker notes how many events it
        was read with."""
        tracker = await self._with_database(lambda: SQLTrackerStore.retrieve(self, sender_id))
        if tracker is not None:
            setattr(tracker, EVENTS_STORED, len(tracker.events))
        return tracker

    async def retrieve_full_tracker(self, conversation_id: str) -> Optional[DialogueStateTracker]:
        """Rasa's retrieve_full_tracker, waiting for the database."""
        return await self._with_database(
            lambda: SQLTrackerStore.retrieve_full_tracker(self, conversation_id)
        )

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the tracker's new events, waiting for the database; then hand them to the
        event broker, if there is one."""
        stored = await self._with_database(lambda: self._store_new_events(tracker))
        if self.event_broker is not None:
            for data in stored:
                self.event_broker.publish({"sender_id": tracker.sender_id, **data})

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Nothing: :meth:`save` publishes the events it has stored.

        Rasa's would load the whole conversation again to find the new events and publish
        them before they are stored (and again on every retry of the save).
        """

    async def _store_new_events(self, tracker: DialogueStateTracker) -> List[Dict[str, Any]]:
        """Rasa's ``SQLTrackerStore.save`` without the streaming; the stored events' dicts."""
        stored: List[Dict[str, Any]] = []
        with self.session_scope() as session:
            new_events = self._new_events(session, tracker)
            slots = withdrawn_slots(new_events)
            holding = events_holding(tracker.events, slots) if slots else []
            held = {id(answer) for answer in holding}
            fresh = {id(event) for event in new_events}
            for event in new_events:
                data = event.as_dict()
                if id(event) in held:
                    data = withdrawn(data)
                intent = data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY)
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=intent,
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
                stored.append(data)
            self._withdraw_stored(
                session,
                tracker.sender_id,
                [answer for answer in holding if id(answer) not in fresh],
            )
            if stored and self.notify_channel:
                session.execute(notify.NOTIFY, {"channel": self.notify_channel})
            session.commit()
        setattr(tracker, EVENTS_STORED, len(tracker.events))
        return stored

    def _withdraw_stored(self, session: Any, sender_id: str, events: List[Event]) -> None:
        """Rewrite the stored rows of ``events`` without the answers they hold
        (stores/withdrawn.py)."""
        if not events:
            return
        rows = (
            session.query(self.SQLEvent)
            .filter(
                self.SQLEvent.sender_id == sender_id,
                self.SQLEvent.timestamp.in_({event.timestamp for event in events}),
            )
            .all()
        )
        for row in rows:
            data = json.loads(row.data)
            if any(same_event(data, event) for event in events):
                row.data = json.dumps(withdrawn(data))

    async def record_typing(self, sender_id: str, at: float) -> bool:
        """Note that the visitor of ``sender_id`` was typing at ``at`` (stores/typing.py),
        in a thread; whether it was noted (only while the conversation is paused)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            None, typing.record, self.engine, sender_id, at, self.notify_channel
        )

    async def recent_intents(self, sender_id: str, count: int) -> List[Optional[str]]:
        """The intents of the conversation's latest ``count`` visitor messages, the latest
        first: one indexed query, without reading the conversation."""

        async def query() -> List[Optional[str]]:
            with self.session_scope() as session:
                rows = (
                    session.query(self.SQLEvent.intent_name)
                    .filter(
                        self.SQLEvent.sender_id == sender_id,
                        self.SQLEvent.type_name == UserUttered.type_name,
                    )
                    .order_by(self.SQLEvent.id.desc())
                    .limit(count)
                    .all()
                )
            return [row[0] for row in rows]

        return await self._with_database(query)

    def _new_events(self, session: Any, tracker: DialogueStateTracker) -> List[Event]:
        """The tracker's events that are not stored: Rasa's ``_additional_events`` (those
        after as many as the database holds of its session), but never those the tracker
        was read or last stored with: if the database now holds fewer, the conversation
        was deleted meanwhile (make forget, make purge) and they must not come back."""
        in_database = self._event_query(
            session, tracker.sender_id, fetch_events_from_all_sessions=False
        ).count()
        already = int(getattr(tracker, EVENTS_STORED, 0))
        if in_database < already:
            logger.info("Tracker store: a conversation deleted during a turn keeps only the turn")
        return list(itertools.islice(tracker.events, max(in_database, already), None))


def clinic_store(tracker_store: Optional[TrackerStore]) -> Optional[ClinicTrackerStore]:
    """This project's store inside the wrappers Rasa puts around it (the agent's
    ``FailSafeTrackerStore``, an ``AwaitableTrackerStore``), if it is one."""
    store = tracker_store
    for _ in range(3):  # Rasa 3.6 wraps at most twice
        if isinstance(store, ClinicTrackerStore):
            return store
        store = getattr(store, "_tracker_store", None)
    return None
