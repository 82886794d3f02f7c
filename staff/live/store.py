"""The live chat's reads of the tracker store: the conversations waiting for a person or
taken by one, the events stored since the last look, the callback requests.

Read-only, on the engine of :class:`staff.conversations.ConversationStore` (Rasa's
``events`` table, SQLite or PostgreSQL): the staff app sees what every Rasa server of the
assistant stored. A conversation is read whole (its events in row order, replayed by
:mod:`staff.live.replay`); the list needs one grouped query to find the paused ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

import sqlalchemy as sa

from staff.conversations import ConversationStore, Message
from staff.conversations.store import EVENTS, parse_event
from staff.live.records import (
    HANDOFF_REQUESTED_AT_SLOT,
    HANDOFF_SLOT,
    HANDOFF_STAFF_SLOT,
    TAKEN,
    WAITING,
    CallbackRequest,
    LiveConversation,
)
from staff.live.replay import (
    MESSAGE_TYPES,
    RESET_TYPES,
    StoredEvent,
    callback_requests,
    is_emergency,
    replay,
)
from stores import typing

#: How many messages of the current visit a conversation of the queue carries.
PREVIEW = 30
#: How far back (in row ids) each look for new events reaches again: with PostgreSQL and
#: several Rasa servers, a turn's events may be committed after a later id was seen.
LOOK_BACK = 256


@dataclass(frozen=True)
class Cursor:
    """Where the last look for new events stopped.

    Attributes:
        high: the highest row id seen.
        seen: the ids seen within :data:`LOOK_BACK` of it (those are not new again).
    """

    high: int = 0
    seen: FrozenSet[int] = frozenset()


def queue_order(conversation: LiveConversation) -> Tuple[int, int, float]:
    """Waiting first (emergencies first, then who waited longest), then taken ones."""
    return (
        0 if conversation.state == WAITING else 1,
        0 if conversation.emergency else 1,
        conversation.requested_at,
    )


class LiveStore:
    """The live chat's view of the tracker store.

    Args:
        conversations: the conversation store whose engine and message reading it shares.
        preview: how many messages of the current visit each conversation carries.
    """

    def __init__(self, conversations: ConversationStore, preview: int = PREVIEW) -> None:
        self.conversations = conversations
        self.preview = preview
        self._ready = False
        #: Whether the tracker store has the visitors' typing table (made by the Rasa
        #: servers of this version; looked for until it is there).
        self._typing_table = False

    def _engine(self) -> Optional[sa.engine.Engine]:
        """The engine, once the tracker store has its events table (None before)."""
        engine = self.conversations.engine()
        if engine is None:
            return None
        if not self._ready:
            self._ready = bool(sa.inspect(engine).has_table("events"))
        return engine if self._ready else None

    @staticmethod
    def _events(
        connection: sa.engine.Connection, senders: Iterable[str]
    ) -> Dict[str, List[StoredEvent]]:
        senders = list(dict.fromkeys(senders))
        found: Dict[str, List[StoredEvent]] = {sender: [] for sender in senders}
        if not senders:
            return found
        columns = EVENTS.c
        rows = connection.execute(
            sa.select(
                columns.id, columns.sender_id, columns.type_name, columns.timestamp, columns.data
            )
            .where(columns.sender_id.in_(senders))
            .order_by(columns.id)
        ).all()
        for event_id, sender, type_name, timestamp, data in rows:
            found[sender].append(
                StoredEvent(int(event_id), sender, str(type_name), float(timestamp or 0.0),
                            parse_event(data))
            )  # fmt: skip
        return found

    def _paused_senders(self, connection: sa.engine.Connection) -> List[str]:
        """The senders whose latest pause is later than their latest resume, new session
        or restart."""
        columns = EVENTS.c
        paused = sa.func.max(sa.case((columns.type_name == "pause", columns.id), else_=None))
        unpaused = sa.func.max(
            sa.case((columns.type_name.in_(("resume", *RESET_TYPES)), columns.id), else_=None)
        )
        query = (
            sa.select(columns.sender_id)
            .where(columns.type_name.in_(("pause", "resume", *RESET_TYPES)))
            .group_by(columns.sender_id)
            .having(paused > sa.func.coalesce(unpaused, 0))
        )
        return [str(row[0]) for row in connection.execute(query)]

    def live_conversation(
        self, sender: str, events: Sequence[StoredEvent]
    ) -> Optional[LiveConversation]:
        """The conversation of ``events`` if it is in the live chat (paused, ``handoff``
        "waiting" or "taken"), else None."""
        state = replay(events)
        handoff = state.slots.get(HANDOFF_SLOT)
        if not state.paused or handoff not in (WAITING, TAKEN) or not events:
            return None
        start = state.handoff_start if state.handoff_start is not None else len(events) - 1
        requested_at = state.slots.get(HANDOFF_REQUESTED_AT_SLOT)
        if not isinstance(requested_at, (int, float)) or isinstance(requested_at, bool):
            requested_at = events[start].timestamp
        staff = state.slots.get(HANDOFF_STAFF_SLOT) if handoff == TAKEN else None
        messages = [
            message
            for event in events[state.visit_start :]
            if event.type_name in MESSAGE_TYPES and (message := self.message(event)) is not None
        ]
        return LiveConversation(
            sender=sender,
            state=str(handoff),
            staff=str(staff) if staff else None,
            requested_at=float(requested_at),
            channel=state.channel,
            emergency=any(is_emergency(event) for event in events[start:]),
            emergency_earlier=any(is_emergency(event) for event in events[:start]),
            messages=tuple(messages[-self.preview :]) if self.preview else (),
            last_event=events[-1].id,
        )

    def message(self, event: StoredEvent) -> Optional[Message]:
        """The message of a stored event (as the Conversations pages show it)."""
        return self.conversations.message(event.id, event.type_name, event.timestamp, event.data)

    def live(self) -> List[LiveConversation]:
        """Every conversation in the live chat, in :func:`queue_order`."""
        engine = self._engine()
        if engine is None:
            return []
        with engine.connect() as connection:
            events = self._events(connection, self._paused_senders(connection))
        found = [self.live_conversation(sender, rows) for sender, rows in events.items()]
        return sorted((c for c in found if c is not None), key=queue_order)

    def live_of(self, senders: Iterable[str]) -> Dict[str, Optional[LiveConversation]]:
        """Each of ``senders`` as it stands: in the live chat, or None."""
        engine = self._engine()
        senders = list(senders)
        if engine is None:
            return {sender: None for sender in senders}
        with engine.connect() as connection:
            events = self._events(connection, senders)
        return {sender: self.live_conversation(sender, rows) for sender, rows in events.items()}

    def live_one(self, sender: str) -> Optional[LiveConversation]:
        """The conversation of ``sender`` if it is in the live chat, else None."""
        return self.live_of([sender])[sender]

    def cursor(self) -> Cursor:
        """A cursor at the latest stored event: what is stored after it is new."""
        engine = self._engine()
        if engine is None:
            return Cursor()
        columns = EVENTS.c
        with engine.connect() as connection:
            high = int(connection.execute(sa.select(sa.func.max(columns.id))).scalar() or 0)
            ids = connection.execute(sa.select(columns.id).where(columns.id > high - LOOK_BACK))
            return Cursor(high, frozenset(int(row[0]) for row in ids))

    def typing(self, senders: Iterable[str], after: float) -> Dict[str, float]:
        """When each of ``senders`` was last typing to a person, for those typing after
        ``after`` (stores/typing.py; nothing where no Rasa server made its table yet)."""
        engine = self._engine()
        if engine is None:
            return {}
        with engine.connect() as connection:
            if not self._typing_table:
                self._typing_table = typing.exists(connection)
                if not self._typing_table:
                    return {}
            return typing.typing_since(connection, senders, after)

    def changes(self, cursor: Cursor) -> Tuple[List[StoredEvent], Cursor]:
        """The events stored since ``cursor`` (in row order), and the cursor after them."""
        engine = self._engine()
        if engine is None:
            return [], cursor
        columns = EVENTS.c
        with engine.connect() as connection:
            ids = {
                int(row[0])
                for row in connection.execute(
                    sa.select(columns.id).where(columns.id > cursor.high - LOOK_BACK)
                )
            }
            new = sorted(ids - cursor.seen)
            rows = (
                connection.execute(
                    sa.select(
                        columns.id,
                        columns.sender_id,
                        columns.type_name,
                        columns.timestamp,
                        columns.data,
                    )
                    .where(columns.id.in_(new))
                    .order_by(columns.id)
                ).all()
                if new
                else []
            )
        high = max([cursor.high, *ids])
        seen = frozenset(i for i in ids if i > high - LOOK_BACK)
        events = [
            StoredEvent(int(i), str(s), str(t), float(at or 0.0), parse_event(data))
            for i, s, t, at, data in rows
        ]
        return events, Cursor(high, seen)

    def messages_after(self, sender: str, after: int) -> List[Message]:
        """The messages of ``sender`` stored after the row id ``after``."""
        engine = self._engine()
        if engine is None:
            return []
        with engine.connect() as connection:
            events = self._events(connection, [sender])[sender]
        return [
            message
            for event in events
            if event.id > after
            and event.type_name in MESSAGE_TYPES
            and (message := self.message(event)) is not None
        ]

    def callbacks(self, since: float) -> List[CallbackRequest]:
        """The callback requests made since ``since`` (unix time), the latest first."""
        engine = self._engine()
        if engine is None:
            return []
        columns = EVENTS.c
        # The slot event is stored when the request is confirmed: its time is the request's
        # (an hour's margin for a clock that differs between servers).
        query = (
            sa.select(columns.sender_id)
            .where(
                columns.type_name == "slot",
                columns.timestamp >= since - 3600,
                columns.data.like('%"callback_requested_at"%'),
            )
            .distinct()
        )
        with engine.connect() as connection:
            senders = [str(row[0]) for row in connection.execute(query)]
            events = self._events(connection, senders)
        found = [
            request
            for sender, rows in events.items()
            for request in callback_requests(sender, rows)
            if request.requested_at >= since
        ]
        return sorted(found, key=lambda request: request.requested_at, reverse=True)
