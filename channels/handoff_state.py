"""A conversation in live handoff (issue 17), as its tracker holds it, and the events of
each step: what every Rasa server and the staff app read the same way.

A conversation in handoff is a paused tracker (Rasa's ``ConversationPaused``) whose slot
``handoff`` is ``"waiting"`` (the visitor asked for a person; ``handoff_requested_at`` says
when) or ``"taken"`` (``handoff_staff`` names who has it). The slots are read from the
tracker's events, not from its domain, so a model trained before the slots existed reads
them alike (Rasa keeps a ``SlotSet`` of a slot its domain lacks in the events).

The steps (the contract in the issue):

- take: ``SlotSet(handoff, "taken")``, ``SlotSet(handoff_staff, name)`` and the bot message
  ``utter_handoff_joined`` with metadata ``{"handoff": "joined", "staff": name}``;
- a staff message: a bot message with metadata ``{"staff": name}``;
- hand back, time out, idle close: the bot message ``utter_handoff_returned`` (hand back,
  metadata ``{"handoff": "returned", "staff": name}``) or ``utter_handoff_idle_closed``
  (``{"handoff": "idle_closed", "staff": name}``) or none (time out), then the three slots
  set to null, ``ConversationResumed`` and ``action_listen``: the assistant listens again,
  so the visitor's next message (or the external intent of a time out) is read as usual,
  as after any of the assistant's turns.

How long a conversation may wait and stay quiet comes from :func:`handoff_times`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Optional, Protocol

from rasa.shared.core.constants import ACTION_LISTEN_NAME, IS_EXTERNAL
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from clinic import hours
from clinic.config import get_clinic

#: The slots (domain.yml).
HANDOFF = "handoff"
HANDOFF_STAFF = "handoff_staff"
HANDOFF_REQUESTED_AT = "handoff_requested_at"
SLOTS = (HANDOFF, HANDOFF_STAFF, HANDOFF_REQUESTED_AT)
#: The values of ``handoff``.
WAITING = "waiting"
TAKEN = "taken"

#: The responses (domain.yml).
JOINED_RESPONSE = "utter_handoff_joined"
RETURNED_RESPONSE = "utter_handoff_returned"
IDLE_CLOSED_RESPONSE = "utter_handoff_idle_closed"
#: The external intent a time out triggers; its rule offers a call back.
TIMEOUT_INTENT = "EXTERNAL_handoff_timeout"

#: ``metadata.handoff`` of the bot messages of the steps.
JOINED = "joined"
RETURNED = "returned"
IDLE_CLOSED = "idle_closed"

#: The longest staff name and staff message accepted.
MAX_STAFF_NAME_CHARS = 100
MAX_TEXT_CHARS = 2000

#: The defaults of :class:`HandoffTimes` (``clinic.yml``'s ``handoff`` section has them).
DEFAULT_WAIT_MINUTES = 3.0
DEFAULT_IDLE_MINUTES = 10.0


class Times(Protocol):
    """What the handoff needs of ``clinic.yml``'s ``handoff`` section."""

    @property
    def wait_minutes(self) -> float: ...

    @property
    def idle_minutes(self) -> float: ...

    def is_open(self, at: datetime) -> bool: ...


@dataclass(frozen=True)
class HandoffTimes:
    """The defaults, while ``clinic.yml`` has no ``handoff`` section: a conversation waits
    3 minutes for a person, a taken one is closed after 10 quiet minutes, and staff are
    taken to answer at any hour."""

    wait_minutes: float = DEFAULT_WAIT_MINUTES
    idle_minutes: float = DEFAULT_IDLE_MINUTES

    def is_open(self, at: datetime) -> bool:
        """Always open."""
        return True


def handoff_times() -> Times:
    """How long a conversation waits for a person and how long a taken one may stay
    quiet, and when staff answer: ``clinic.yml``'s ``handoff`` section
    (``clinic.config.Handoff``), or the defaults of :class:`HandoffTimes` without one."""
    return get_clinic().handoff or HandoffTimes()


@dataclass(frozen=True)
class HandoffState:
    """Where a conversation is in the handoff.

    Attributes:
        paused: the tracker is paused (the assistant does not answer).
        handoff: the slot ``handoff`` (None, ``"waiting"``, ``"taken"``).
        staff: the slot ``handoff_staff``.
        requested_at: the slot ``handoff_requested_at`` (unix time), if a number.
        paused_at: when the tracker was paused (its latest ``pause`` event), if it is.
        last_message_at: when the visitor, the assistant or the staff member last wrote.
    """

    paused: bool
    handoff: Optional[str]
    staff: Optional[str]
    requested_at: Optional[float]
    paused_at: Optional[float]
    last_message_at: Optional[float]

    @property
    def waiting(self) -> bool:
        """Paused and waiting for a person."""
        return self.paused and self.handoff == WAITING

    @property
    def taken(self) -> bool:
        """Paused and taken by a staff member."""
        return self.paused and self.handoff == TAKEN

    def taken_by(self, staff: str) -> bool:
        """Paused and taken by ``staff``."""
        return self.taken and self.staff == staff

    def wait_started(self) -> Optional[float]:
        """When the visitor started waiting: ``handoff_requested_at``, else the pause."""
        return self.requested_at if self.requested_at is not None else self.paused_at

    def timed_out(self, times: Times, now: float) -> bool:
        """Waiting longer than ``times.wait_minutes``, or waiting while staff are away."""
        if not self.waiting:
            return False
        started = self.wait_started()
        waited_too_long = started is not None and now - started >= times.wait_minutes * 60
        return waited_too_long or not times.is_open(hours.moment_of(now))

    def idle(self, times: Times, now: float) -> bool:
        """Taken, with no message from either side for ``times.idle_minutes``."""
        if not self.taken:
            return False
        last = self.last_message_at if self.last_message_at is not None else self.paused_at
        return last is not None and now - last >= times.idle_minutes * 60


def state_of(tracker: DialogueStateTracker) -> HandoffState:
    """The conversation's handoff state, from the events of its current session."""
    slots: Dict[str, Any] = {}
    paused_at: Optional[float] = None
    last_message_at: Optional[float] = None
    for event in tracker.applied_events():
        if isinstance(event, SlotSet) and event.key in SLOTS:
            slots[event.key] = event.value
        elif isinstance(event, (UserUttered, BotUttered)) and not _is_external(event):
            last_message_at = event.timestamp
        elif isinstance(event, ConversationPaused):
            paused_at = event.timestamp
    paused = tracker.is_paused()
    requested_at = slots.get(HANDOFF_REQUESTED_AT)
    return HandoffState(
        paused=paused,
        handoff=_text_or_none(slots.get(HANDOFF)),
        staff=_text_or_none(slots.get(HANDOFF_STAFF)),
        requested_at=float(requested_at) if isinstance(requested_at, (int, float)) else None,
        paused_at=paused_at if paused else None,
        last_message_at=last_message_at,
    )


def _is_external(event: Event) -> bool:
    """An intent an event triggered (``trigger_external_user_uttered``), not a message."""
    return isinstance(event, UserUttered) and bool(event.metadata.get(IS_EXTERNAL))


def _text_or_none(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None


def bot_message(response: Dict[str, Any], metadata: Dict[str, Any]) -> BotUttered:
    """The bot message of a response the NLG generated (its text, buttons, ...)."""
    data = {
        key: response[key]
        for key in ("elements", "quick_replies", "buttons", "attachment", "image", "custom")
        if response.get(key) is not None
    }
    return BotUttered(text=response.get("text"), data=data, metadata=metadata)


def take_events(staff: str, joined: Dict[str, Any]) -> List[Event]:
    """The events of ``staff`` taking a waiting conversation (``joined``: the generated
    ``utter_handoff_joined``), made in their order (the tracker store sorts by time)."""
    slots: List[Event] = [SlotSet(HANDOFF, TAKEN), SlotSet(HANDOFF_STAFF, staff)]
    return [*slots, bot_message(joined, {"handoff": JOINED, "staff": staff})]


def staff_message(staff: str, text: str) -> BotUttered:
    """A message ``staff`` wrote, as they wrote it."""
    return BotUttered(text=text, metadata={"staff": staff})


def resume_events(farewell: Optional[BotUttered] = None) -> List[Event]:
    """The events that end the handoff: ``farewell`` if any, the slots cleared, the
    conversation resumed and the assistant listening."""
    return [
        *([farewell] if farewell is not None else []),
        SlotSet(HANDOFF, None),
        SlotSet(HANDOFF_STAFF, None),
        SlotSet(HANDOFF_REQUESTED_AT, None),
        ConversationResumed(),
        ActionExecuted(ACTION_LISTEN_NAME),
    ]
