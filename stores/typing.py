"""When a website visitor talking to a person was last typing (issue 17: the staff member
sees the visitor typing where the channel provides it; the website's widget does, no
messaging platform tells a bot).

The widget says so while the visitor types (socket.io ``visitor_typing``,
``channels/typing.py``); the Rasa server records it here only while the conversation is
paused (waiting for a person or talking to one): one row per conversation, the time, in the
tracker store's database, so the staff app reads it wherever the visitor is connected. No
text is recorded. On PostgreSQL the record also signals (``stores/notify.py``), so the staff
app shows it at once. ``make forget`` and ``make purge`` delete the row with the
conversation (``stores/retention.py``).
"""

from __future__ import annotations

from typing import Dict, Iterable, Optional

import sqlalchemy as sa

from stores import notify
from stores.paused import is_paused

_metadata = sa.MetaData()
TYPING = sa.Table(
    "visitor_typing",
    _metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("at", sa.Float, nullable=False),
)


def create(engine: sa.engine.Engine) -> None:
    """Make the table if it is not there."""
    TYPING.create(engine, checkfirst=True)


def exists(connection: sa.engine.Connection) -> bool:
    """Whether the table is there (a store no Rasa server of this version opened has none)."""
    return bool(sa.inspect(connection).has_table(TYPING.name))


def record(
    engine: sa.engine.Engine, sender_id: str, at: float, channel: Optional[str] = None
) -> bool:
    """Note that the visitor of ``sender_id`` was typing at ``at``, if the conversation is
    paused (signalling on ``channel`` when given); whether it was noted."""
    try:
        with engine.begin() as connection:
            if not is_paused(connection, sender_id):
                return False
            updated = connection.execute(
                sa.update(TYPING).where(TYPING.c.sender_id == sender_id).values(at=at)
            )
            if not updated.rowcount:
                connection.execute(sa.insert(TYPING).values(sender_id=sender_id, at=at))
            if channel:
                connection.execute(notify.NOTIFY, {"channel": channel})
    except sa.exc.IntegrityError:
        return True  # another server noted the same visitor typing at the same moment
    return True


def typing_since(
    connection: sa.engine.Connection, senders: Iterable[str], after: float
) -> Dict[str, float]:
    """When each of ``senders`` was last typing, for those typing after ``after``."""
    wanted = sorted(set(senders))
    if not wanted:
        return {}
    rows = connection.execute(
        sa.select(TYPING.c.sender_id, TYPING.c.at).where(
            TYPING.c.sender_id.in_(wanted), TYPING.c.at > after
        )
    )
    return {str(sender): float(at) for sender, at in rows}


def delete(connection: sa.engine.Connection, sender_id: str) -> None:
    """Forget when the visitor of ``sender_id`` typed (with their conversation); the
    table must exist (:func:`exists`, asked once by the caller)."""
    connection.execute(sa.delete(TYPING).where(TYPING.c.sender_id == sender_id))
