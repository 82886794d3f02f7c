"""The tracker store: an SQLite file by default, PostgreSQL when ``DATABASE_URL`` is set.

When the database cannot be reached, Rasa would carry on with a conversation kept in memory
(its fail-safe store) and lose every turn answered meanwhile. Instead this store waits for
the database (``DATABASE_WAIT_SECONDS``, 10 by default, retrying), and if it is still away
raises :class:`StoreUnavailable`, which Rasa's fail-safe does not catch: the channel then
tells the visitor to try again (``channels/limits.py``), and no answered turn is lost.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Any, Awaitable, Callable, Dict, Optional, TypeVar

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from stores.settings import StoreSettings

logger = logging.getLogger(__name__)

T = TypeVar("T")


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
        """Rasa's retrieve, waiting for the database."""
        return await self._with_database(lambda: SQLTrackerStore.retrieve(self, sender_id))

    async def retrieve_full_tracker(self, conversation_id: str) -> Optional[DialogueStateTracker]:
        """Rasa's retrieve_full_tracker, waiting for the database."""
        return await self._with_database(
            lambda: SQLTrackerStore.retrieve_full_tracker(self, conversation_id)
        )

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save, waiting for the database."""
        await self._with_database(lambda: SQLTrackerStore.save(self, tracker))
