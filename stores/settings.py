"""The stores' and the event broker's settings, read from the environment in this one
place."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

ROOT = Path(__file__).resolve().parent.parent
_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
DEFAULT_QUEUE = "clinic_events"
DEFAULT_BACKLOG = 100_000


@dataclass(frozen=True)
class StoreSettings:
    """Tracker store and lock store settings.

    Attributes:
        database_url: PostgreSQL URL (``postgresql://user:password@host:5432/db``); empty
            means the embedded SQLite file.
        database_schema: the PostgreSQL schema of this site's conversations (one per site
            when several sites share a database); empty means the database's default.
        tracker_db: the SQLite file when there is no ``database_url``.
        redis_url: Redis URL (``redis://[:password@]host:6379/1``); empty means locks in
            memory, for one server process only.
        lock_prefix: prefix of this deployment's lock keys in Redis.
        sanic_workers: Rasa's ``SANIC_WORKERS``; above 1 needs Redis.
    """

    database_url: str = ""
    database_schema: str = ""
    tracker_db: str = str(ROOT / "var" / "tracker.db")
    redis_url: str = ""
    lock_prefix: str = "clinic"
    sanic_workers: int = 1

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> StoreSettings:
        """The settings from ``env`` (default: this process's environment).

        Raises:
            ValueError: naming the variable whose value cannot be used.
        """
        env = os.environ if env is None else env
        schema = env.get("DATABASE_SCHEMA", "").strip()
        if schema and not _SCHEMA.match(schema):
            raise ValueError(
                f"DATABASE_SCHEMA '{schema}' must be lower-case letters, digits and _ "
                "(at most 63), starting with a letter or _."
            )
        prefix = env.get("LOCK_STORE_PREFIX", "").strip() or cls.lock_prefix
        if not re.match(r"^[A-Za-z0-9]{1,64}$", prefix):
            # Rasa's Redis lock store drops any other prefix (and shares its keys).
            raise ValueError(f"LOCK_STORE_PREFIX '{prefix}' must be letters and digits only.")
        try:
            workers = int(env.get("SANIC_WORKERS", "1") or "1")
        except ValueError:
            raise ValueError("SANIC_WORKERS must be a whole number.") from None
        return cls(
            database_url=env.get("DATABASE_URL", "").strip(),
            database_schema=schema,
            tracker_db=env.get("TRACKER_DB", "").strip() or cls.tracker_db,
            redis_url=env.get("REDIS_URL", "").strip(),
            lock_prefix=prefix,
            sanic_workers=workers,
        )


@dataclass(frozen=True)
class BrokerSettings:
    """Event broker settings.

    Attributes:
        url: ``amqp://user:password@host:5672/``; empty means no broker.
        queue: the RabbitMQ queue the events go to.
        backlog: how many unpublished events are kept while RabbitMQ is away.
    """

    url: str = ""
    queue: str = DEFAULT_QUEUE
    backlog: int = DEFAULT_BACKLOG

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> BrokerSettings:
        """The settings from ``env`` (default: this process's environment).

        Raises:
            ValueError: naming the variable whose value cannot be used.
        """
        env = os.environ if env is None else env
        raw_backlog = env.get("EVENT_BROKER_BACKLOG", "").strip()
        try:
            backlog = int(raw_backlog) if raw_backlog else DEFAULT_BACKLOG
        except ValueError:
            raise ValueError("EVENT_BROKER_BACKLOG must be a whole number.") from None
        if backlog < 1:
            raise ValueError("EVENT_BROKER_BACKLOG must be at least 1.")
        return cls(
            url=env.get("EVENT_BROKER_URL", "").strip(),
            queue=env.get("EVENT_BROKER_QUEUE", "").strip() or DEFAULT_QUEUE,
            backlog=backlog,
        )


def sender_tag_key(env: Optional[Mapping[str, str]] = None) -> Optional[bytes]:
    """``SENDER_TAG_KEY``, the key of the sender tags in the logs (``stores/sender_tag.py``),
    as bytes; None when it is empty (each process then makes a random one)."""
    env = os.environ if env is None else env
    key = env.get("SENDER_TAG_KEY", "").strip()
    return key.encode("utf-8") if key else None
