"""The staff database: one SQLite file (``STAFF_DB``) of accounts, sessions and history."""

from __future__ import annotations

import sqlite3
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to the staff database at ``path`` (created with its folder), committed
    when the block ends without an error and closed in any case."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, timeout=10)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA busy_timeout=10000")
        with connection:
            yield connection
