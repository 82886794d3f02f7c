"""The signal that a conversation's events were stored, for whoever watches the tracker store
live (the staff app's live chat, ``staff/live/wakeup.py``).

On PostgreSQL, the tracker store sends ``NOTIFY`` on the site's channel in the transaction
that stores a turn's events, so a listener hears of them as soon as they can be read, from
whichever Rasa server stored them. On the embedded SQLite file there is no such signal: the
watcher looks at the file at short intervals instead.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from stores.settings import StoreSettings

#: The channel of the database's default schema; a site in a schema of its own adds it.
CHANNEL = "clinic_events"
#: PostgreSQL's longest identifier (a channel is one).
_MAX_CHANNEL = 63
#: The statement that signals: the channel is a parameter (no identifier quoting needed),
#: and the payload is empty (a listener reads what is new itself).
NOTIFY = sa.text("SELECT pg_notify(:channel, '')")


def channel(settings: StoreSettings) -> str:
    """The channel of the site ``settings`` describe (its schema names it)."""
    if not settings.database_schema:
        return CHANNEL
    name = f"{CHANNEL}_{settings.database_schema}"
    if len(name) <= _MAX_CHANNEL:
        return name
    digest = hashlib.sha256(settings.database_schema.encode()).hexdigest()[:24]
    return f"{CHANNEL}_{digest}"


def signals(settings: StoreSettings) -> bool:
    """Whether the tracker store of ``settings`` signals (PostgreSQL does, SQLite not)."""
    return bool(settings.database_url)
