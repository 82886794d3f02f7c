"""What the conversation store returns: a list's page, one conversation and its
messages, an unanswered question, and the date filter's periods."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Tuple

from staff.conversations.flags import EMERGENCY

#: The periods of the date filter.
PERIODS: Dict[str, str] = {
    "today": "Today",
    "yesterday": "Yesterday",
    "week": "Last 7 days",
    "all": "All dates",
}


def local_time(timestamp: float) -> datetime:
    """A Rasa timestamp (seconds since 1970) as this machine's local time."""
    return datetime.fromtimestamp(timestamp).astimezone()


def period_bounds(period: str, now: datetime) -> Tuple[Optional[float], Optional[float]]:
    """The start and end (timestamps, end excluded) of a period of the date filter, in the
    local time of ``now``; None for no bound.

    Raises:
        ValueError: for a period that is not one of :data:`PERIODS`.
    """
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "today":
        return midnight.timestamp(), None
    if period == "yesterday":
        return (midnight - timedelta(days=1)).timestamp(), midnight.timestamp()
    if period == "week":
        return (midnight - timedelta(days=6)).timestamp(), None
    if period == "all":
        return None, None
    raise ValueError(f"unknown period '{period}'")


@dataclass(frozen=True)
class Summary:
    """One conversation in the list.

    Attributes:
        sender: the visitor's id as the channel gave it.
        channel: where they wrote from ("rest", "socketio", "facebook", ...), when known.
        started: their first event; last: their latest.
        turns: how many messages they sent.
        flags: what happened, in the order of :data:`FLAG_LABELS`.
        last_message: the text of their latest message.
    """

    sender: str
    channel: Optional[str]
    started: datetime
    last: datetime
    turns: int
    flags: List[str]
    last_message: str

    @property
    def emergency(self) -> bool:
        return EMERGENCY in self.flags


@dataclass(frozen=True)
class Asked:
    """A visitor's message the assistant could not answer."""

    event_id: int
    sender: str
    time: datetime
    text: str
    intent: str


@dataclass(frozen=True)
class ConversationPage:
    """A page of the list and where it stands."""

    conversations: List[Summary]
    total: int
    page: int
    per_page: int
    #: How many conversations of the period have each flag (whatever flag is chosen).
    counts: Dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class Message:
    """One message of a conversation.

    Attributes:
        id: the event's row id (a user message's id is what the Teach form names).
        sender_kind: "user" for the visitor, "bot" for the assistant.
        text: what was written.
        intent: (user) the intent the assistant acted on.
        confidence: (user) its confidence, 0 to 1.
        topic: (user, FAQ) the FAQ topic the response selector picked ("downtime").
        topic_confidence: its confidence.
        guard: (user) what the safety guard found, as it recorded it: intent, rule,
            matched words, the classifier's own guess; None when it found nothing.
        response: (bot) the response it came from ("utter_refuse_medical_advice").
        buttons: (bot) the titles of its buttons.
        flags: the flags this message raises.
        staff: (bot) the staff member who wrote it in the live chat (the event's
            ``metadata.staff``); None for the assistant's own messages.
        handoff: (bot) the step of the live chat it announced (``metadata.handoff``:
            "joined" for the message sent when a staff member took the conversation).
    """

    id: int
    sender_kind: str
    time: datetime
    text: str
    intent: Optional[str] = None
    confidence: Optional[float] = None
    topic: Optional[str] = None
    topic_confidence: Optional[float] = None
    guard: Optional[Dict[str, Any]] = None
    response: Optional[str] = None
    buttons: List[str] = field(default_factory=list)
    flags: List[str] = field(default_factory=list)
    new_session: bool = False
    staff: Optional[str] = None
    handoff: Optional[str] = None

    @property
    def by_staff(self) -> bool:
        """Whether a staff member wrote it (in the live chat), not the assistant."""
        return self.sender_kind == "bot" and self.staff is not None and self.handoff is None


@dataclass(frozen=True)
class Conversation:
    """A whole conversation, for its page."""

    sender: str
    channel: Optional[str]
    messages: List[Message]
    flags: List[str]

    def user_message(self, event_id: int) -> Optional[Message]:
        for message in self.messages:
            if message.id == event_id and message.sender_kind == "user":
                return message
        return None
