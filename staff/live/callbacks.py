"""Callback requests: how long they are kept, and who marked which one done.

The requests themselves are in the conversations (the callback slots, Part 1 of issue 17),
so they go with the conversation (``make forget``, ``make purge``). The staff database keeps
only the marks "done by whom, when" (:class:`CallbackMarks`), for as long as the requests
are shown (:func:`callback_keep_days`); ``make forget`` removes a visitor's
(:func:`staff.forget.forget_visitor`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable, Dict, Iterable, Optional, Tuple

from clinic.config import get_clinic
from staff.database import connect

SECONDS_PER_DAY = 86400
#: How long a callback request is kept when clinic.yml does not say.
DEFAULT_CALLBACK_KEEP_DAYS = 30

_SCHEMA = """
CREATE TABLE IF NOT EXISTS callback_marks (
    sender TEXT NOT NULL,
    requested_at REAL NOT NULL,
    done_by TEXT NOT NULL,
    done_at REAL NOT NULL,
    PRIMARY KEY (sender, requested_at)
);
"""

#: A request: its conversation and the time it was made.
Key = Tuple[str, float]


def callback_keep_days() -> int:
    """How many days a callback request is kept: clinic.yml's
    ``handoff.callback_keep_days`` when the clinic has the live chat, else
    :data:`DEFAULT_CALLBACK_KEEP_DAYS`."""
    handoff = get_clinic().handoff
    if handoff is None:
        return DEFAULT_CALLBACK_KEEP_DAYS
    return int(handoff.callback_keep_days)


class CallbackMarks:
    """The "done" marks of callback requests, in the staff database.

    Args:
        db: the SQLite file (the accounts' database).
        clock: the time in seconds, replaceable in tests.
    """

    def __init__(self, db: Path, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        with connect(self.db) as connection:
            connection.executescript(_SCHEMA)

    def mark_done(self, key: Key, who: str) -> Optional[Tuple[str, float]]:
        """Mark a request done by ``who``, now; if someone marked it first, theirs stays.

        Returns:
            None when it is marked now; else who marked it first, and when.
        """
        sender, requested_at = key
        with connect(self.db) as connection:
            cursor = connection.execute(
                "INSERT OR IGNORE INTO callback_marks (sender, requested_at, done_by, done_at) "
                "VALUES (?, ?, ?, ?)",
                (sender, requested_at, who, self.clock()),
            )
            if cursor.rowcount:
                return None
            row = connection.execute(
                "SELECT done_by, done_at FROM callback_marks "
                "WHERE sender = ? AND requested_at = ?",
                (sender, requested_at),
            ).fetchone()
        return (str(row[0]), float(row[1]))

    def marks(self) -> Dict[Key, Tuple[str, float]]:
        """Every mark: request -> (who, when)."""
        with connect(self.db) as connection:
            rows = connection.execute(
                "SELECT sender, requested_at, done_by, done_at FROM callback_marks"
            ).fetchall()
        return {(str(s), float(r)): (str(who), float(at)) for s, r, who, at in rows}

    def keep_only(self, since: float, requests: Iterable[Key]) -> int:
        """Delete the marks of requests older than ``since`` and of those no longer in the
        conversations (``requests``: every request made since then, e.g. after
        ``make purge``); how many went."""
        wanted = set(requests)
        with connect(self.db) as connection:
            rows = connection.execute("SELECT sender, requested_at FROM callback_marks").fetchall()
            gone = [(s, r) for s, r in rows if r < since or (str(s), float(r)) not in wanted]
            connection.executemany(
                "DELETE FROM callback_marks WHERE sender = ? AND requested_at = ?", gone
            )
        return len(gone)

    def forget(self, sender: str) -> int:
        """Delete the marks of ``sender``'s requests (``make forget``); how many."""
        with connect(self.db) as connection:
            cursor = connection.execute("DELETE FROM callback_marks WHERE sender = ?", (sender,))
        return cursor.rowcount

    def since(self, days: float) -> float:
        """The time ``days`` days ago."""
        return self.clock() - days * SECONDS_PER_DAY
