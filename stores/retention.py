"""Delete conversations from the tracker store: one person's, or those gone quiet.

``make forget SENDER=<id>`` deletes every event of one conversation (a person's request to
be forgotten); ``make purge DAYS=<n>`` deletes every conversation whose last event is older
than ``n`` days. Both use the tracker store the Rasa server uses (``endpoints.yml``, with
its environment variables), so they work on SQLite and on PostgreSQL alike, and print what
they deleted. Conversations are deleted whole: a purge never leaves half a conversation.
``forget`` names the conversation by the id the operator typed; ``purge`` names the ones it
deleted by their sender tags (``stores/sender_tag.py``), as the logs do, not by their ids
(phone numbers, e-mail addresses), since its output often ends up in a log too.

``scripts/retention.sh`` runs ``python -m stores.retention forget|purge ...`` through
``python -m launcher env``, which gives it the variables ``endpoints.yml`` names, as the
Rasa server has them.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, Sequence

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.utils.endpoints import read_endpoint_config

from stores.sender_tag import sender_tag

ROOT = Path(__file__).resolve().parent.parent
SECONDS_PER_DAY = 86400


@dataclass(frozen=True)
class Deleted:
    """What was deleted from one conversation."""

    sender_id: str
    events: int


def open_store(endpoints: Path) -> SQLTrackerStore:
    """The SQL tracker store ``endpoints`` configures.

    Raises:
        SystemExit: when the configured store is not an SQL store (nothing to delete from).
    """
    config = read_endpoint_config(str(endpoints), "tracker_store")
    with warnings.catch_warnings():
        # Rasa 3.6 builds its database URL with a call SQLAlchemy says is deprecated.
        warnings.simplefilter("ignore")
        store = TrackerStore.create(config)
    inner = getattr(store, "_tracker_store", store)
    if not isinstance(inner, SQLTrackerStore):
        raise SystemExit(
            f"retention: the tracker store in {endpoints} is {type(inner).__name__}; "
            "forget and purge work on the SQL tracker store (SQLite or PostgreSQL)."
        )
    return inner


def _delete(store: SQLTrackerStore, senders: Sequence[str]) -> List[Deleted]:
    """Delete every event of ``senders``, in one transaction."""
    table = store.SQLEvent.__table__
    deleted: List[Deleted] = []
    with store.engine.begin() as connection:
        for sender in senders:
            result = connection.execute(sa.delete(table).where(table.c.sender_id == sender))
            if result.rowcount:
                deleted.append(Deleted(sender, int(result.rowcount)))
    return deleted


def forget(store: SQLTrackerStore, sender_id: str) -> List[Deleted]:
    """Delete one conversation; what was deleted (nothing if it was not there)."""
    return _delete(store, [sender_id])


def purge(store: SQLTrackerStore, days: float, now: Optional[float] = None) -> List[Deleted]:
    """Delete the conversations whose last event is older than ``days`` days."""
    cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    table = store.SQLEvent.__table__
    last_event = sa.func.max(table.c.timestamp)
    query = sa.select(table.c.sender_id).group_by(table.c.sender_id).having(last_event < cutoff)
    with store.engine.connect() as connection:
        senders = [row[0] for row in connection.execute(query)]
    return _delete(store, senders)


def tagged(sender_id: str) -> str:
    """A conversation as a report names it without its sender id: ``sender <tag>``."""
    return f"sender {sender_tag(sender_id)}"


def report(deleted: List[Deleted], what: str, name: Callable[[str], str] = tagged) -> str:
    """A few lines saying what was deleted, each conversation named by ``name``."""
    if not deleted:
        return f"{what}: nothing to delete."
    lines = [f"{what}: deleted {len(deleted)} conversation(s), "
             f"{sum(d.events for d in deleted)} event(s):"]  # fmt: skip
    lines += [f"  {name(d.sender_id)}: {d.events} event(s)" for d in deleted]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=Path, default=ROOT / "endpoints.yml")
    commands = parser.add_subparsers(dest="command", required=True)
    forget_parser = commands.add_parser("forget", help="delete one person's conversation")
    forget_parser.add_argument("sender_id")
    purge_parser = commands.add_parser("purge", help="delete conversations older than DAYS")
    purge_parser.add_argument("days", type=float)
    args = parser.parse_args(argv)

    if args.command == "forget":
        if not args.sender_id.strip():
            parser.error("SENDER is empty: say whose conversation to delete (SENDER=...)")
        store = open_store(args.endpoints)
        # The id the operator typed is theirs to see again.
        print(report(forget(store, args.sender_id), f"forget {args.sender_id!r}", str))
    else:
        if args.days < 0:
            parser.error("DAYS must be 0 or more")
        store = open_store(args.endpoints)
        print(report(purge(store, args.days), f"purge older than {args.days:g} day(s)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
