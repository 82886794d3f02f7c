"""Delete conversations from the tracker store: one person's, or those gone quiet.

``make forget SENDER=<id>`` deletes every event of one conversation (a person's request to
be forgotten; :mod:`staff.forget` first takes their words out of what the staff app keeps);
``make purge DAYS=<n>`` deletes every conversation whose last event is older than ``n``
days. Both use the tracker store the Rasa server uses (``endpoints.yml``, with its
environment variables), so they work on SQLite and on PostgreSQL alike, and print what they
deleted. Conversations are deleted whole: a purge never leaves half a conversation, nor
when its visitor last typed to a person (``stores/typing.py``).
``forget`` names the conversation by the id the operator typed; ``purge`` names the ones it
deleted by their sender tags (``stores/sender_tag.py``), as the logs do, not by their ids
(phone numbers, e-mail addresses), since its output often ends up in a log too.

While they run, the assistant may be answering the same visitor:

- Each conversation is deleted by one statement of its own, and purge's says "unless it
  has an event newer than the cutoff": a turn stored after purge chose the conversation
  keeps it, whole (choosing, then deleting everything, lost that turn).
- With ``REDIS_URL`` the Rasa servers hold each conversation's lock in Redis while they
  answer a message; forget and purge take the same lock (:func:`conversation_lock`), so
  they delete between two turns, never during one.
- With the embedded default the locks are in the Rasa server's memory, which no other
  process can reach. Then the database protects the conversation: SQLite runs one write
  at a time, so the check and the delete of one statement see the same events; and a
  turn the server was answering while the conversation was deleted stores only its own
  new events, not the deleted ones it had read (:class:`stores.tracker.ClinicTrackerStore`).

``scripts/retention.sh`` runs ``python -m stores.retention purge ...`` (and
``python -m staff.forget ...`` for forget) through ``python -m launcher env``, which gives
it the variables ``endpoints.yml`` names, as the Rasa server has them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, List, Optional

import sqlalchemy as sa
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.utils.endpoints import read_endpoint_config

from clinic.config import get_clinic
from stores import typing
from stores.sender_tag import sender_tag

ROOT = Path(__file__).resolve().parent.parent
SECONDS_PER_DAY = 86400
#: How long forget and purge wait for a turn in progress to be stored (Rasa's lock
#: lifetime: a turn's lock is released by then even if its server died).
LOCK_WAIT_SECONDS = float(LOCK_LIFETIME)
#: How often they look whether the lock is free (Rasa's servers look every second).
LOCK_POLL_SECONDS = 0.1


class LockTimeoutError(Exception):
    """A conversation's lock could not be taken (not free in time, or Redis away): nothing
    of it was deleted."""


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


def open_locks(endpoints: Path) -> Optional[LockStore]:
    """The lock store the Rasa servers share (Redis, when ``REDIS_URL`` is set, as
    ``endpoints.yml`` configures it); None when the locks are in the server's memory,
    where no other process can take them."""
    config = read_endpoint_config(str(endpoints), "lock_store")
    if config is None:
        return None
    locks = LockStore.create(config)
    return None if isinstance(locks, InMemoryLockStore) else locks


@contextmanager
def conversation_lock(locks: Optional[LockStore], sender_id: str) -> Iterator[None]:
    """Hold ``sender_id``'s conversation lock in ``locks`` (as a Rasa server holds it while
    it answers a message): wait for the turn in progress, if any; nothing when None.

    Raises:
        LockTimeoutError: the lock was not free within :data:`LOCK_WAIT_SECONDS`.
    """
    if locks is None:
        yield
        return
    try:
        ticket = locks.issue_ticket(sender_id, LOCK_WAIT_SECONDS + LOCK_LIFETIME)
    except LockError as error:
        raise LockTimeoutError(
            f"the lock of the conversation {sender_id!r} could not be taken ({error}); "
            "nothing of it was deleted, try again"
        ) from None
    try:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            lock = locks.get_lock(sender_id)
            if lock is not None and not lock.is_locked(ticket):
                break
            if lock is None or time.monotonic() > deadline:
                raise LockTimeoutError(
                    f"the conversation {sender_id!r} stayed locked by the assistant for "
                    f"{LOCK_WAIT_SECONDS:g} s; nothing of it was deleted, try again"
                )
            time.sleep(LOCK_POLL_SECONDS)
            locks.update_lock(sender_id)
        yield
    finally:
        locks.cleanup(sender_id, ticket)


def _delete_one(
    store: SQLTrackerStore,
    locks: Optional[LockStore],
    sender_id: str,
    typing_table: bool,
    cutoff: Optional[float] = None,
) -> Optional[Deleted]:
    """Delete the conversation of ``sender_id`` with one statement, under its lock; with
    ``cutoff``, only if none of its events is newer (a turn stored meanwhile keeps it).
    With ``typing_table``, also when its visitor last typed (stores/typing.py)."""
    table = store.SQLEvent.__table__
    statement = sa.delete(table).where(table.c.sender_id == sender_id)
    if cutoff is not None:
        newer = table.alias("newer")
        statement = statement.where(
            ~sa.exists().where(newer.c.sender_id == sender_id).where(newer.c.timestamp >= cutoff)
        )
    with conversation_lock(locks, sender_id), store.engine.begin() as connection:
        result = connection.execute(statement)
        if result.rowcount and typing_table:
            typing.delete(connection, sender_id)
    return Deleted(sender_id, int(result.rowcount)) if result.rowcount else None


#: Said after forget or purge on PostgreSQL without the Rasa servers' Redis lock store.
UNLOCKED_NOTE = (
    "note: no shared lock store (REDIS_URL is not set), so a turn the assistant was "
    "answering at this moment may still be saved afterwards; run the command again in a "
    "minute to be sure nothing is left."
)


def unlocked_note(store: SQLTrackerStore, locks: Optional[LockStore]) -> Optional[str]:
    """What to tell the operator when nothing stops a turn in progress from saving after a
    delete: on PostgreSQL without a shared lock store (SQLite, the embedded default, runs
    one write at a time, and the tracker store never writes a deleted conversation back)."""
    if locks is None and store.engine.dialect.name == "postgresql":
        return UNLOCKED_NOTE
    return None


def forget(
    store: SQLTrackerStore, sender_id: str, locks: Optional[LockStore] = None
) -> List[Deleted]:
    """Delete one conversation; what was deleted (nothing if it was not there).

    Raises:
        LockTimeoutError: a turn held the conversation's lock too long; nothing was deleted.
    """
    deleted = _delete_one(store, locks, sender_id, has_typing_table(store))
    return [deleted] if deleted else []


def has_typing_table(store: SQLTrackerStore) -> bool:
    """Whether the store has the typing table (a store older than the live chat has not)."""
    with store.engine.connect() as connection:
        return typing.exists(connection)


def purge(
    store: SQLTrackerStore,
    days: float,
    now: Optional[float] = None,
    locks: Optional[LockStore] = None,
    callback_days: Optional[float] = None,
) -> List[Deleted]:
    """Delete the conversations whose last event is older than ``days`` days (one that
    gets a new event while purge runs is kept), and, with ``callback_days``, those whose
    call-back request (a name and a phone number or e-mail) is older than that, however
    recent their last event: the request is kept only as long as the clinic says.

    Raises:
        LockTimeoutError: a turn held a conversation's lock too long; the conversations before
            it are deleted, the others are not.
    """
    moment = time.time() if now is None else now
    cutoff = moment - days * SECONDS_PER_DAY
    table = store.SQLEvent.__table__
    last_event = sa.func.max(table.c.timestamp)
    query = sa.select(table.c.sender_id).group_by(table.c.sender_id).having(last_event < cutoff)
    with store.engine.connect() as connection:
        senders = [row[0] for row in connection.execute(query)]
        typing_table = typing.exists(connection)
    deleted = [_delete_one(store, locks, sender, typing_table, cutoff) for sender in senders]
    if callback_days is not None:
        requested = callback_requests_before(store, moment - callback_days * SECONDS_PER_DAY)
        deleted += [_delete_one(store, locks, sender, typing_table) for sender in requested]
    return [d for d in deleted if d is not None]


#: The slot a confirmed call-back request sets (actions/callback.py).
CALLBACK_REQUESTED_SLOT = "callback_requested_at"


def callback_requests_before(store: SQLTrackerStore, cutoff: float) -> List[str]:
    """The conversations with a call-back request confirmed before ``cutoff``."""
    table = store.SQLEvent.__table__
    query = (
        sa.select(table.c.sender_id, table.c.data)
        .where(table.c.type_name == "slot")
        .where(table.c.timestamp < cutoff)
        .where(table.c.data.like(f'%"{CALLBACK_REQUESTED_SLOT}"%'))
    )
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    found = []
    for sender, data in rows:
        try:
            event = json.loads(data or "{}")
        except ValueError:
            continue
        if event.get("name") == CALLBACK_REQUESTED_SLOT and event.get("value") is not None:
            found.append(str(sender))
    return sorted(set(found))


def visitor_messages(store: SQLTrackerStore, sender_id: str) -> List[str]:
    """What ``sender_id`` wrote (their messages' texts, in order): what forget deletes,
    and what :mod:`staff.forget` looks for in the staff app's files first."""
    table = store.SQLEvent.__table__
    query = (
        sa.select(table.c.data)
        .where(table.c.sender_id == sender_id)
        .where(table.c.type_name == "user")
        .order_by(table.c.id)
    )
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    texts: List[str] = []
    for (data,) in rows:
        try:
            text = json.loads(data or "{}").get("text")
        except ValueError:
            continue
        if isinstance(text, str) and text.strip():
            texts.append(text)
    return texts


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
    elif args.days < 0:
        parser.error("DAYS must be 0 or more")
    store = open_store(args.endpoints)
    locks = open_locks(args.endpoints)
    try:
        if args.command == "forget":
            deleted = forget(store, args.sender_id, locks)
            # The id the operator typed is theirs to see again.
            print(report(deleted, f"forget {args.sender_id!r}", str))
        else:
            handoff = get_clinic().handoff
            keep = handoff.callback_keep_days if handoff is not None else None
            deleted = purge(store, args.days, locks=locks, callback_days=keep)
            what = f"purge older than {args.days:g} day(s)"
            if keep is not None:
                what += f", and call-back requests older than {keep:g} day(s)"
            print(report(deleted, what))
        note = unlocked_note(store, locks)
        if note:
            print(note)
    except LockTimeoutError as error:
        raise SystemExit(f"retention: {error}") from None
    return 0


if __name__ == "__main__":
    sys.exit(main())
