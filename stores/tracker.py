"""The tracker store: an SQLite file by default, PostgreSQL when ``DATABASE_URL`` is set."""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

from stores.settings import StoreSettings

logger = logging.getLogger(__name__)


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
