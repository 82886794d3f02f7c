"""A conversation's stored events, replayed as Rasa applies them: whether it is paused, its
slots, where its current visit and its current handoff start, its emergencies and its
callback requests.

Pure functions over the rows of the tracker store (no database here): Rasa resets a
tracker (pause and slots) at a new session (``session_started``) and at a restart, pauses
it at ``pause`` and resumes it at ``resume``; slots are set by ``slot`` events and cleared
by ``reset_slots``. A paused tracker gets no answer from the assistant, only the live chat's
(issue 17).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

from staff.conversations.flags import (
    EMERGENCY_ACTIONS,
    EMERGENCY_INTENTS,
    EMERGENCY_RESPONSES,
    HANDOFF_INTENTS,
)
from staff.live.records import (
    CALLBACK_CONTACT_SLOT,
    CALLBACK_NAME_SLOT,
    CALLBACK_REQUESTED_AT_SLOT,
    EMERGENCY_SLOT,
    HANDOFF_SLOT,
    WAITING,
    CallbackRequest,
)

#: Events after which Rasa starts the tracker afresh: not paused, slots at their start.
RESET_TYPES = ("session_started", "restart")
#: Events that may change whether a conversation is in the live chat.
STATE_TYPES = ("pause", "resume", "slot", "reset_slots", "rewind", "undo", *RESET_TYPES)
#: The events that are messages (the visitor's, the assistant's or a staff member's).
MESSAGE_TYPES = ("user", "bot")
#: Where the callback flow starts (issue 17, Part 1): what the visitor wrote from here on
#: answers its questions (name, phone number or e-mail, consent), it is not their question.
CALLBACK_FLOW_ACTIONS = ("action_offer_callback",)
#: Messages that are not a question: asking for a person, yes, no, hello, thanks, bye.
NOT_A_QUESTION = (*HANDOFF_INTENTS, "affirm", "deny", "greet", "goodbye", "thank")
#: How many of the visitor's messages make "the question" of a callback request.
QUESTION_MESSAGES = 3


class StoredEvent(NamedTuple):
    """One row of Rasa's ``events`` table, its JSON read."""

    id: int
    sender: str
    type_name: str
    timestamp: float
    data: Dict[str, Any]


@dataclass
class Replayed:
    """Where a conversation stands after its events.

    Attributes:
        paused: the assistant does not answer it (``ConversationPaused``).
        slots: the slots set in the current session.
        visit_start: the index of the first event of the current session.
        handoff_start: the index of the event that set ``handoff`` to "waiting" for the
            current handoff; None when there is none.
        channel: the input channel of the latest visitor message.
    """

    paused: bool = False
    slots: Dict[str, Any] = field(default_factory=dict)
    visit_start: int = 0
    handoff_start: Optional[int] = None
    channel: Optional[str] = None


def intent_of(event: StoredEvent) -> Optional[str]:
    """The intent of a visitor message (None for other events)."""
    if event.type_name != "user":
        return None
    intent = (event.data.get("parse_data") or {}).get("intent") or {}
    name = intent.get("name") if isinstance(intent, dict) else None
    return str(name) if name else None


def visitor_text(event: StoredEvent) -> str:
    """What the visitor typed ("" for a button's payload and other events)."""
    if event.type_name != "user":
        return ""
    text = str(event.data.get("text") or "").strip()
    return "" if text.startswith("/") else text


def replay(events: Sequence[StoredEvent]) -> Replayed:
    """The state of a conversation after ``events`` (one sender's, in row order)."""
    state = Replayed()
    for index, event in enumerate(events):
        kind = event.type_name
        if kind in RESET_TYPES:
            state = Replayed(visit_start=index, channel=state.channel)
        elif kind == "pause":
            state.paused = True
        elif kind == "resume":
            state.paused = False
        elif kind == "reset_slots":
            state.slots = {}
        elif kind == "slot":
            name, value = event.data.get("name"), event.data.get("value")
            if name == HANDOFF_SLOT and value == WAITING and state.slots.get(name) != WAITING:
                state.handoff_start = index
            if isinstance(name, str):
                state.slots[name] = value
        elif kind == "user":
            state.channel = event.data.get("input_channel") or state.channel
    return state


def is_emergency(event: StoredEvent) -> bool:
    """Whether the event shows an emergency: the visitor described one, or the assistant
    gave the emergency guidance."""
    data = event.data
    if event.type_name == "user":
        return intent_of(event) in EMERGENCY_INTENTS
    if event.type_name == "action":
        return data.get("name") in EMERGENCY_ACTIONS
    if event.type_name == "bot":
        return (data.get("metadata") or {}).get("utter_action") in EMERGENCY_RESPONSES
    if event.type_name == "slot":
        return data.get("name") == EMERGENCY_SLOT and data.get("value") is True
    return False


def callback_requests(sender: str, events: Sequence[StoredEvent]) -> List[CallbackRequest]:
    """The callback requests of one conversation: each value ``callback_requested_at``
    was set to (once, also when a new session carries the slot over), with the name and
    contact given by the end of that turn and the visitor's question before it."""
    found: List[CallbackRequest] = []
    seen: set[float] = set()
    slots: Dict[str, Any] = {}
    channel: Optional[str] = None
    pending: List[Tuple[int, float]] = []  # (index, requested_at) whose turn goes on
    start = 0  # the first event after the previous request

    def finish() -> None:
        nonlocal start
        for index, requested_at in pending:
            name = str(slots.get(CALLBACK_NAME_SLOT) or "")
            contact = str(slots.get(CALLBACK_CONTACT_SLOT) or "")
            question = question_before(events[start:index], {name, contact})
            found.append(CallbackRequest(sender, requested_at, name, contact, question, channel))
            start = index + 1
        pending.clear()

    for index, event in enumerate(events):
        kind = event.type_name
        if kind == "user":
            finish()
            channel = event.data.get("input_channel") or channel
        elif kind in RESET_TYPES or kind == "reset_slots":
            finish()
            slots = {}
        elif kind == "slot":
            name, value = event.data.get("name"), event.data.get("value")
            if isinstance(name, str):
                slots[name] = value
            if (
                name == CALLBACK_REQUESTED_AT_SLOT
                and isinstance(value, (int, float))
                and not isinstance(value, bool)
                and float(value) not in seen
            ):
                seen.add(float(value))
                pending.append((index, float(value)))
    finish()
    return found


def question_before(events: Sequence[StoredEvent], answers: set[str]) -> Tuple[str, ...]:
    """The visitor's last messages among ``events`` that ask something: before the callback
    flow, neither a button nor a yes, no, hello or a request for a person, nor one of
    their ``answers`` to the callback's questions (their name, their contact)."""
    texts: List[str] = []
    for event in events:
        if event.type_name == "action" and event.data.get("name") in CALLBACK_FLOW_ACTIONS:
            break
        text = visitor_text(event)
        if text and intent_of(event) not in NOT_A_QUESTION and text not in answers:
            texts.append(text)
    return tuple(texts[-QUESTION_MESSAGES:])
