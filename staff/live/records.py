"""What the live chat reads from the tracker store: a conversation waiting for a person or
taken by one, and a visitor's request to be called back.

The names are those of issue 17's contract (the slots of domain.yml, the events Rasa
stores): a conversation in the live chat is a paused tracker whose ``handoff`` slot is
"waiting" or "taken".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

from staff.conversations import Message

#: The states of a conversation in the live chat (the ``handoff`` slot).
WAITING = "waiting"
TAKEN = "taken"
#: Not in the live chat (any more): the assistant answers it.
WITH_ASSISTANT = "assistant"

#: The slots of the live chat and of callbacks (domain.yml).
HANDOFF_SLOT = "handoff"
HANDOFF_STAFF_SLOT = "handoff_staff"
HANDOFF_REQUESTED_AT_SLOT = "handoff_requested_at"
CALLBACK_NAME_SLOT = "callback_name"
CALLBACK_CONTACT_SLOT = "callback_contact"
CALLBACK_REQUESTED_AT_SLOT = "callback_requested_at"
#: Set by action_emergency_guidance (actions/safety.py).
EMERGENCY_SLOT = "emergency_reported"


@dataclass(frozen=True)
class LiveConversation:
    """A conversation waiting for a person, or taken by one.

    Attributes:
        sender: the visitor's id as the channel gave it.
        state: :data:`WAITING` or :data:`TAKEN`.
        staff: who took it (the ``handoff_staff`` slot), while taken.
        requested_at: when the visitor asked for a person (unix time).
        channel: where they write from ("socketio", "telegram", ...), when known.
        emergency: an emergency was reported since they asked for a person (the visitor
            got the emergency guidance: the person taking it must know).
        emergency_earlier: one was reported earlier in the conversation.
        messages: the messages of the current visit, the latest last (at most
            :data:`staff.live.store.PREVIEW` of them).
        last_event: the row id of its latest event.
    """

    sender: str
    state: str
    staff: Optional[str]
    requested_at: float
    channel: Optional[str]
    emergency: bool
    emergency_earlier: bool
    messages: Tuple[Message, ...]
    last_event: int

    def waited(self, now: float) -> float:
        """Seconds since the visitor asked for a person."""
        return max(0.0, now - self.requested_at)


@dataclass(frozen=True)
class CallbackRequest:
    """A visitor's request to be called back, given with their consent.

    Attributes:
        sender: the visitor's conversation.
        requested_at: when they confirmed it (the ``callback_requested_at`` slot).
        name: the name they gave (``callback_name``).
        contact: the phone number or e-mail address they gave (``callback_contact``).
        question: their last messages before they asked for a person or a callback: what
            they wanted to know.
        channel: where they wrote from, when known.
        done_by: who marked it done (the staff database), None while it is to do.
        done_at: when.
    """

    sender: str
    requested_at: float
    name: str
    contact: str
    question: Tuple[str, ...]
    channel: Optional[str]
    done_by: Optional[str] = None
    done_at: Optional[float] = None

    @property
    def key(self) -> Tuple[str, float]:
        return (self.sender, self.requested_at)
