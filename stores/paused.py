"""Which conversations of the tracker store are paused: those whose latest ``pause`` or
``resume`` event is a ``pause`` (Rasa's ``ConversationPaused`` and ``ConversationResumed``).

The live handoff's periodic task (``channels/handoff_watch.py``) asks every few seconds.
One query over the whole events table finds them when it starts (and every
:data:`RESCAN_SECONDS` after, to heal anything missed); in between, only the pause and
resume events after the last ones it saw are read, by the table's primary key, which costs
the same however many conversations the store holds. A little of what was read before is
read again (:data:`OVERLAP_IDS`): on PostgreSQL a turn whose id was given out first may be
committed after one given out later.

The answer is a hint: who acts on a conversation reads it again under its lock.
"""

from __future__ import annotations

import time
from typing import Callable, Dict, Iterable, Optional, Set, Tuple

import sqlalchemy as sa

PAUSE = "pause"
RESUME = "resume"
#: Ids read again at each look, for turns committed out of order.
OVERLAP_IDS = 500
#: Seconds between two reads of the whole table.
RESCAN_SECONDS = 600.0

#: Rasa's SQLTrackerStore table, the columns read here.
EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
)


#: What else ends a pause: a new session or a restart (Rasa resets the tracker).
RESETS = ("session_started", "restart")


def is_paused(connection: sa.engine.Connection, sender_id: str) -> bool:
    """Whether one conversation is paused now: its latest pause, resume, new session or
    restart is a pause (one query, on Rasa's index of the sender id)."""
    latest = connection.execute(
        sa.select(EVENTS.c.type_name)
        .where(
            EVENTS.c.sender_id == sender_id,
            EVENTS.c.type_name.in_((PAUSE, RESUME, *RESETS)),
        )
        .order_by(EVENTS.c.id.desc())
        .limit(1)
    ).scalar()
    return latest == PAUSE


class PausedConversations:
    """The paused conversations of a tracker store, kept up to date by :meth:`refresh`.

    Args:
        clock: seconds, for when to read the whole table again (tests pass their own).
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._paused: Set[str] = set()
        self._forgotten: Dict[str, int] = {}
        self._seen = 0
        self._scanned_at: Optional[float] = None

    def refresh(self, engine: sa.engine.Engine) -> Set[str]:
        """The sender ids of the paused conversations, as the tracker store's database
        ``engine`` holds them now.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: the database cannot be read.
        """
        now = self.clock()
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("events"):
                return set()
            if self._scanned_at is None or now - self._scanned_at >= RESCAN_SECONDS:
                self._paused, self._seen = self._scan(connection)
                self._forgotten.clear()
                self._scanned_at = now
            else:
                self._seen = self._apply(connection, self._seen)
        return set(self._paused)

    def forget(self, sender_id: str) -> None:
        """Drop ``sender_id`` (found resumed, or paused for another reason than a handoff)
        until a pause of it newer than what was read so far, or the next whole scan."""
        self._paused.discard(sender_id)
        self._forgotten[sender_id] = self._seen

    def _scan(self, connection: sa.engine.Connection) -> Tuple[Set[str], int]:
        """Every paused conversation, and the highest event id then."""
        top = self._top(connection)
        latest: Dict[str, Dict[str, int]] = {}
        rows = connection.execute(
            sa.select(EVENTS.c.sender_id, EVENTS.c.type_name, sa.func.max(EVENTS.c.id))
            .where(EVENTS.c.type_name.in_((PAUSE, RESUME)))
            .group_by(EVENTS.c.sender_id, EVENTS.c.type_name)
        )
        for sender_id, type_name, last_id in rows:
            latest.setdefault(sender_id, {})[type_name] = last_id
        paused = {
            sender_id
            for sender_id, last in latest.items()
            if last.get(PAUSE, 0) > last.get(RESUME, 0)
        }
        return paused, top

    def _apply(self, connection: sa.engine.Connection, seen: int) -> int:
        """Apply the pause and resume events after ``seen`` (less the overlap); the highest
        event id now."""
        top = self._top(connection)
        rows = connection.execute(
            sa.select(EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.type_name)
            .where(EVENTS.c.id > max(0, seen - OVERLAP_IDS))
            .where(EVENTS.c.type_name.in_((PAUSE, RESUME)))
            .order_by(EVENTS.c.id)
        )
        self._update(rows)
        return max(top, seen)

    def _update(self, rows: Iterable[Tuple[int, str, str]]) -> None:
        for event_id, sender_id, type_name in rows:
            if type_name == RESUME:
                self._paused.discard(sender_id)
            elif event_id > self._forgotten.get(sender_id, 0):
                self._paused.add(sender_id)
                self._forgotten.pop(sender_id, None)

    @staticmethod
    def _top(connection: sa.engine.Connection) -> int:
        return int(connection.execute(sa.select(sa.func.max(EVENTS.c.id))).scalar() or 0)
