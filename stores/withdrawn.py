"""Answers a visitor withdrew are kept nowhere, not even in the conversation's history.

A visitor who stops the call-back questions after giving a name (or whose details could not
be read) is told nothing was kept. Clearing the slots alone would leave the details in the
stored conversation: the visitor's messages and the slot events that held them. So the
action that stops the questions also sets the slot ``withdrawn_answers`` (domain.yml) to the
names of the slots whose answers are withdrawn, and when the tracker store saves that event
it rewrites, in the stored conversation, every event holding one of those answers:

- the visitor's messages written while ``requested_slot`` asked for one of the slots: their
  text becomes :data:`WITHDRAWN_TEXT` (the intent stays, entities go);
- the slot events of those slots: their value becomes ``None``.

The events are found in the tracker being saved (the conversation's current session, which
holds the form) and matched to stored rows by their type and timestamp.
"""

from __future__ import annotations

from typing import Any, Collection, Dict, FrozenSet, Iterable, List, Sequence

from rasa.shared.core.events import Event, SlotSet, UserUttered

#: The slot an action sets to the names of the slots whose answers are withdrawn.
WITHDRAWN_SLOT = "withdrawn_answers"
#: What a withdrawn message reads in the stored conversation.
WITHDRAWN_TEXT = "(withdrawn by the visitor)"
REQUESTED_SLOT = "requested_slot"


def withdrawn_slots(events: Iterable[Event]) -> FrozenSet[str]:
    """The slots whose answers ``events`` (a save's new events) withdraw."""
    slots: set = set()
    for event in events:
        if isinstance(event, SlotSet) and event.key == WITHDRAWN_SLOT and event.value:
            values = event.value if isinstance(event.value, list) else [event.value]
            slots.update(str(value) for value in values)
    return frozenset(slots)


def events_holding(events: Sequence[Event], slots: Collection[str]) -> List[Event]:
    """The events of ``events`` that hold an answer to one of ``slots``: the visitor's
    messages written while one of them was asked for, and the slot events that set one."""
    holding: List[Event] = []
    asked = None
    for event in events:
        if isinstance(event, SlotSet):
            if event.key == REQUESTED_SLOT:
                asked = event.value
            elif event.key in slots and event.value is not None:
                holding.append(event)
        elif isinstance(event, UserUttered) and asked in slots:
            holding.append(event)
    return holding


def withdrawn(data: Dict[str, Any]) -> Dict[str, Any]:
    """The stored form (``Event.as_dict()``) of an event holding an answer, without it."""
    data = dict(data)
    if data.get("event") == SlotSet.type_name:
        data["value"] = None
        return data
    data["text"] = WITHDRAWN_TEXT
    parse_data = dict(data.get("parse_data") or {})
    parse_data["text"] = WITHDRAWN_TEXT
    parse_data["entities"] = []
    data["parse_data"] = parse_data
    return data


def same_event(data: Dict[str, Any], event: Event) -> bool:
    """Whether the stored ``data`` is ``event`` (of those sharing its timestamp)."""
    if data.get("event") != event.type_name or data.get("timestamp") != event.timestamp:
        return False
    if isinstance(event, SlotSet):
        return data.get("name") == event.key
    return True
