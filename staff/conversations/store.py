"""The conversations of the tracker store, read-only: the list summarised by the
database a page at a time, one conversation read whole, the unanswered messages."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple
from urllib.parse import quote

import sqlalchemy as sa

from staff.conversations.flags import (
    EMERGENCY,
    EVENT_FLAGS,
    FALLBACK_INTENTS,
    FLAG_LABELS,
    LOW_CONFIDENCE,
    NOT_COVERED_INTENTS,
    RESPONSE_FLAGS,
)
from staff.conversations.records import (
    Asked,
    Conversation,
    ConversationPage,
    Message,
    Summary,
    local_time,
    period_bounds,
)
from stores.settings import StoreSettings

PER_PAGE = 25
#: The most messages the unanswered-questions page reads (the latest of the period).
MAX_UNANSWERED = 2000

_metadata = sa.MetaData()
#: Rasa's SQLTrackerStore table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent).
EVENTS = sa.Table(
    "events",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("type_name", sa.String(255)),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


def _engine(store: StoreSettings) -> Optional[sa.engine.Engine]:
    """A read-only engine on the tracker store; None when its SQLite file is not there
    yet (no conversation so far)."""
    if store.database_url:
        options = "-c default_transaction_read_only=on"
        if store.database_schema:
            options += f" -c search_path={store.database_schema}"
        return sa.create_engine(
            store.database_url, connect_args={"options": options}, pool_pre_ping=True
        )
    path = Path(store.tracker_db)
    if not path.is_file():
        return None
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=10)
        return connection

    return sa.create_engine("sqlite://", creator=connect, poolclass=sa.pool.NullPool)


def _confidence(dialect: str) -> Any:
    """The SQL expression of a user event's intent confidence, read from its JSON."""
    if dialect == "postgresql":
        path = "'{parse_data,intent,confidence}'"
        extracted = sa.literal_column(f"CAST(events.data AS json) #>> {path}")
        return sa.cast(extracted, sa.Float)
    return sa.cast(sa.func.json_extract(EVENTS.c.data, "$.parse_data.intent.confidence"), sa.Float)


def parse_event(data: Optional[str]) -> Dict[str, Any]:
    """An event's stored JSON as a dict ({} when it is not one)."""
    try:
        value = json.loads(data or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _topic(parse_data: Dict[str, Any]) -> Tuple[Optional[str], Optional[float]]:
    """The FAQ topic the response selector picked, and its confidence."""
    selector = parse_data.get("response_selector") or {}
    response = (selector.get("faq") or {}).get("response") or {}
    key = response.get("intent_response_key") or ""
    if not isinstance(key, str) or "/" not in key:
        return None, None
    confidence = response.get("confidence")
    return key.split("/", 1)[1], float(confidence) if confidence is not None else None


class ConversationStore:
    """The conversations of the assistant's tracker store.

    Args:
        store: where the tracker store is (the assistant's own settings).
        low_confidence: the threshold of the "low confidence" flag.
    """

    def __init__(self, store: StoreSettings, low_confidence: float) -> None:
        self.store = store
        self.low_confidence = low_confidence
        self._engine: Optional[sa.engine.Engine] = None

    @property
    def where(self) -> str:
        """Where the conversations come from, in words (no password)."""
        if self.store.database_url:
            url = sa.engine.make_url(self.store.database_url)
            schema = f", schema {self.store.database_schema}" if self.store.database_schema else ""
            return f"PostgreSQL database '{url.database}' on {url.host}{schema}"
        return f"the file {self.store.tracker_db}"

    def engine(self) -> Optional[sa.engine.Engine]:
        if self._engine is None:
            self._engine = _engine(self.store)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _has_events(self, engine: sa.engine.Engine) -> bool:
        return bool(sa.inspect(engine).has_table("events"))

    def _summary(self, dialect: str) -> Any:
        """The per-conversation summary, as a subquery: its times, turns and flags."""
        events = EVENTS.c
        user = events.type_name == "user"
        confidence = _confidence(dialect)
        return (
            sa.select(
                events.sender_id.label("sender"),
                sa.func.min(events.timestamp).label("started"),
                sa.func.max(events.timestamp).label("last"),
                sa.func.sum(sa.case((user, 1), else_=0)).label("turns"),
                *[
                    sa.func.max(
                        sa.case(
                            (events.intent_name.in_(list(intents)), 1),
                            (events.action_name.in_(list(actions)), 1),
                            else_=0,
                        )
                    ).label(flag)
                    for flag, (intents, actions) in EVENT_FLAGS.items()
                ],
                sa.func.max(
                    sa.case(
                        (
                            sa.and_(user, events.intent_name.isnot(None)),
                            sa.case((confidence < self.low_confidence, 1), else_=0),
                        ),
                        else_=0,
                    )
                ).label(LOW_CONFIDENCE),
            )
            .group_by(events.sender_id)
            .subquery("summary")
        )

    def summaries(
        self,
        flag: Optional[str] = None,
        period: str = "all",
        page: int = 1,
        per_page: int = PER_PAGE,
        now: Optional[datetime] = None,
    ) -> ConversationPage:
        """A page of conversations, emergencies first, then the latest first.

        Args:
            flag: only conversations with this flag (one of :data:`FLAG_LABELS`).
            period: only conversations with a message in this period (:data:`PERIODS`).
            page: which page, from 1.
            now: the current local time (tests pass a fixed one).

        Raises:
            ValueError: for an unknown flag or period.
        """
        if flag is not None and flag not in FLAG_LABELS:
            raise ValueError(f"unknown flag '{flag}'")
        start, end = period_bounds(period, now or datetime.now().astimezone())
        page = max(1, page)
        engine = self.engine()
        if engine is None or not self._has_events(engine):
            return ConversationPage([], 0, page, per_page, {name: 0 for name in FLAG_LABELS})
        summary = self._summary(engine.dialect.name)
        columns = summary.c
        in_period = [columns.turns > 0]
        if start is not None:
            in_period.append(columns["last"] >= start)
        if end is not None:
            in_period.append(columns.started < end)
        conditions = list(in_period)
        if flag is not None:
            conditions.append(columns[flag] == 1)
        query = (
            sa.select(summary)
            .where(*conditions)
            .order_by(columns[EMERGENCY].desc(), columns["last"].desc(), columns.sender)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        count = sa.select(sa.func.count()).select_from(summary).where(*conditions)
        per_flag = sa.select(
            *[sa.func.coalesce(sa.func.sum(columns[name]), 0) for name in FLAG_LABELS]
        ).where(*in_period)
        with engine.connect() as connection:
            total = int(connection.execute(count).scalar() or 0)
            flag_counts = connection.execute(per_flag).one()
            rows = connection.execute(query).mappings().all()
            latest = self._latest_user_events(connection, [row["sender"] for row in rows])
        conversations = []
        for row in rows:
            data = latest.get(row["sender"], {})
            conversations.append(
                Summary(
                    sender=row["sender"],
                    channel=data.get("input_channel") or None,
                    started=local_time(row["started"]),
                    last=local_time(row["last"]),
                    turns=int(row["turns"]),
                    flags=[name for name in FLAG_LABELS if row[name]],
                    last_message=str(data.get("text") or ""),
                )
            )
        counts = {name: int(n or 0) for name, n in zip(FLAG_LABELS, flag_counts, strict=True)}
        return ConversationPage(conversations, total, page, per_page, counts)

    def unanswered(
        self,
        period: str = "week",
        now: Optional[datetime] = None,
        limit: int = MAX_UNANSWERED,
    ) -> List[Asked]:
        """The visitors' messages of ``period`` the assistant could not answer: those it
        took for a question the source text does not cover, or did not understand (the
        latest ``limit``, newest first).

        Raises:
            ValueError: for a period that is not one of :data:`PERIODS`.
        """
        start, end = period_bounds(period, now or datetime.now().astimezone())
        engine = self.engine()
        if engine is None or not self._has_events(engine):
            return []
        events = EVENTS.c
        conditions = [
            events.type_name == "user",
            events.intent_name.in_([*NOT_COVERED_INTENTS, *FALLBACK_INTENTS]),
        ]
        if start is not None:
            conditions.append(events.timestamp >= start)
        if end is not None:
            conditions.append(events.timestamp < end)
        query = (
            sa.select(
                events.id, events.sender_id, events.timestamp, events.intent_name, events.data
            )
            .where(*conditions)
            .order_by(events.timestamp.desc(), events.id.desc())
            .limit(limit)
        )
        with engine.connect() as connection:
            rows = connection.execute(query).all()
        asked = []
        for event_id, sender, timestamp, intent, raw in rows:
            text = str(parse_event(raw).get("text") or "").strip()
            if text and not text.startswith("/"):
                asked.append(Asked(event_id, sender, local_time(timestamp), text, str(intent)))
        return asked

    @staticmethod
    def _latest_user_events(
        connection: sa.engine.Connection, senders: Iterable[str]
    ) -> Dict[str, Dict[str, Any]]:
        """The latest user event of each of ``senders`` (one page's worth)."""
        senders = list(senders)
        if not senders:
            return {}
        events = EVENTS.c
        latest_ids = (
            sa.select(sa.func.max(events.id))
            .where(events.type_name == "user", events.sender_id.in_(senders))
            .group_by(events.sender_id)
        )
        rows = connection.execute(
            sa.select(events.sender_id, events.data).where(events.id.in_(latest_ids))
        ).all()
        return {row[0]: parse_event(row[1]) for row in rows}

    def conversation(self, sender: str) -> Optional[Conversation]:
        """The whole conversation of ``sender``; None when there is none."""
        engine = self.engine()
        if engine is None or not self._has_events(engine):
            return None
        events = EVENTS.c
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(events.id, events.type_name, events.timestamp, events.data)
                .where(events.sender_id == sender)
                .order_by(events.id)
            ).all()
        if not rows:
            return None
        messages: List[Message] = []
        channel: Optional[str] = None
        new_session = False
        for event_id, type_name, timestamp, raw in rows:
            data = parse_event(raw)
            if type_name == "session_started":
                new_session = bool(messages)
                continue
            message = self.message(event_id, type_name, timestamp, data, new_session)
            if message is None:
                continue
            if type_name == "user":
                channel = data.get("input_channel") or channel
            messages.append(message)
            new_session = False
        flags = [
            name for name in FLAG_LABELS if any(name in message.flags for message in messages)
        ]
        return Conversation(sender, channel, messages, flags)

    def message(
        self,
        event_id: int,
        type_name: str,
        timestamp: float,
        data: Dict[str, Any],
        new_session: bool = False,
    ) -> Optional[Message]:
        """The message of one stored event (its row id, type and JSON ``data``); None for
        an event that is not a message (an action, a slot, a pause, ...)."""
        if type_name == "user":
            return self._user_message(event_id, timestamp, data, new_session)
        if type_name != "bot":
            return None
        metadata = data.get("metadata") or {}
        response = metadata.get("utter_action")
        flag = RESPONSE_FLAGS.get(str(response))
        buttons = [
            str(button.get("title", ""))
            for button in (data.get("data") or {}).get("buttons") or []
            if isinstance(button, dict)
        ]
        staff = metadata.get("staff")
        handoff = metadata.get("handoff")
        return Message(
            id=event_id,
            sender_kind="bot",
            time=local_time(timestamp),
            text=str(data.get("text") or ""),
            response=str(response) if response else None,
            buttons=buttons,
            flags=[flag] if flag else [],
            new_session=new_session,
            staff=str(staff) if staff else None,
            handoff=str(handoff) if handoff else None,
        )

    def _user_message(
        self, event_id: int, timestamp: float, data: Dict[str, Any], new_session: bool
    ) -> Message:
        parse_data = data.get("parse_data") or {}
        intent = parse_data.get("intent") or {}
        name = intent.get("name")
        confidence = intent.get("confidence")
        topic, topic_confidence = _topic(parse_data) if name == "faq" else (None, None)
        guard = parse_data.get("safety_guard") or None
        flags = [flag for flag, (intents, _) in EVENT_FLAGS.items() if name in intents]
        if name and confidence is not None and float(confidence) < self.low_confidence:
            flags.append(LOW_CONFIDENCE)
        return Message(
            id=event_id,
            sender_kind="user",
            time=local_time(timestamp),
            text=str(data.get("text") or ""),
            intent=str(name) if name else None,
            confidence=float(confidence) if confidence is not None else None,
            topic=topic,
            topic_confidence=topic_confidence,
            guard=guard if isinstance(guard, dict) else None,
            flags=flags,
            new_session=new_session,
        )
