"""Safety is never paused: an emergency described in a paused conversation (the live
handoff, while the visitor waits for a person or talks to one) still gets the emergency
guidance at once.

While a conversation is paused, Rasa stores the visitor's messages with what it understood
and runs no action. So once Rasa has handled a message (every channel's ``on_new_message``
goes through ``channels/limits.py``, which calls :func:`emergency_while_paused`), if the
conversation is paused and the message was understood as ``report_emergency_symptom``
(looked up first with one indexed query of the tracker store, so that the usual message
costs no more), the
steps of the rule "emergency symptom gets emergency guidance" (``data/rules/safety.yml``)
are run for it, under the conversation's lock, through the message's output channel:
``utter_emergency_guidance`` (the emergency number, from Rasa itself, so it needs no action
server) and ``action_emergency_guidance`` (tell the clinic; sets ``emergency_reported``,
which the staff member sees). Any other message of a paused conversation gets nothing:
the person the visitor waits for, or talks to, answers.
"""

from __future__ import annotations

import logging
from typing import Optional, Sequence

from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from stores.sender_tag import sender_tag
from stores.tracker import clinic_store

logger = logging.getLogger(__name__)

EMERGENCY_INTENT = "report_emergency_symptom"
#: How many of a conversation's latest messages are looked at for an emergency: the
#: visitor's next messages may be stored before this one is looked at.
RECENT_MESSAGES = 5
#: The steps of the rule "emergency symptom gets emergency guidance", in its order.
EMERGENCY_STEPS: Sequence[str] = ("utter_emergency_guidance", "action_emergency_guidance")


def message_index(events: Sequence[Event], message: UserMessage) -> Optional[int]:
    """Where the user event of ``message`` is among ``events`` (by its message id), else
    where the latest user event is."""
    latest: Optional[int] = None
    for index in reversed(range(len(events))):
        event = events[index]
        if isinstance(event, UserUttered):
            if event.message_id == message.message_id:
                return index
            if latest is None:
                latest = index
    return latest


def needs_guidance(tracker: DialogueStateTracker, message: UserMessage) -> bool:
    """Whether ``message`` of the paused conversation describes an emergency and has not
    had the guidance yet."""
    if not tracker.is_paused():
        return False
    events = tracker.applied_events()
    index = message_index(events, message)
    if index is None:
        return False
    event = events[index]
    assert isinstance(event, UserUttered)
    if event.intent.get(INTENT_NAME_KEY) != EMERGENCY_INTENT:
        return False
    return not any(
        isinstance(later, ActionExecuted) and later.action_name == EMERGENCY_STEPS[0]
        for later in events[index + 1 :]
    )


async def emergency_while_paused(agent: Optional[Agent], message: UserMessage) -> bool:
    """After Rasa handled ``message``: the emergency guidance, if its conversation is paused
    and it describes an emergency; whether it was sent."""
    if agent is None or not agent.is_ready() or not message.sender_id:
        return False
    store = clinic_store(agent.tracker_store)
    if store is not None:
        # The usual case costs one indexed query: no emergency among the latest messages.
        recent = await store.recent_intents(message.sender_id, RECENT_MESSAGES)
        if EMERGENCY_INTENT not in recent:
            return False
    async with agent.lock_store.lock(message.sender_id):
        tracker = await agent.tracker_store.retrieve(message.sender_id)
        if tracker is None or not needs_guidance(tracker, message):
            return False
        for action in EMERGENCY_STEPS:
            await agent.execute_action(
                message.sender_id, action, message.output_channel, None, 1.0
            )
    logger.warning(
        "An emergency in paused conversation %s: the emergency guidance was sent",
        sender_tag(message.sender_id),
    )
    return True
