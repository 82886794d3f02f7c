"""The live handoff: offer a member of the team, and hand the conversation over on yes.

A visitor who asks for a person (or was not understood twice in a row) gets
:class:`ActionOfferHandoff`. What it offered goes in the slot ``handoff_offer``, which the
rules of data/rules/handoff.yml follow: "chat" while the team answers in the chat (clinic.yml's
handoff hours, judged by :func:`clinic.hours.now`), then :class:`ActionRequestHandoff` on
yes; "callback" when the chat is closed, then ``action_offer_callback``
(:mod:`actions.callback`); null when clinic.yml has no handoff section, after the clinic's
phone, e-mail and booking link, as before the handoff existed.

After :class:`ActionRequestHandoff` the conversation is paused: the Rasa server keeps the
visitor's messages and runs no action until the handoff's routes (channels/handoff.py) hand
it back or the waiting time runs out.
"""

from __future__ import annotations

import time
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from clinic import hours
from clinic.config import get_clinic

#: The slot the rules follow, and its values (domain.yml).
OFFER_SLOT = "handoff_offer"
CHAT = "chat"
CALLBACK = "callback"
#: The handoff's state in the tracker, read by the Rasa server's handoff routes and the staff
#: app: "waiting" for a member of the team, then "taken".
STATE_SLOT = "handoff"
WAITING = "waiting"
REQUESTED_AT_SLOT = "handoff_requested_at"
#: The intent of a message the assistant did not understand (FallbackClassifier).
FALLBACK_INTENT = "nlu_fallback"


def latest_intent(tracker: Tracker) -> str | None:
    """The intent of the visitor's latest message."""
    name = (tracker.latest_message.get("intent") or {}).get("name")
    return str(name) if name else None


class ActionOfferHandoff(Action):
    """Offer a member of the team in the chat, or say why not.

    - No handoff section in clinic.yml: the clinic's phone, e-mail and booking link
      (``utter_human_handoff``; ``utter_fallback_contact`` after a message not understood).
    - The team answers in the chat now: the offer with how long it can take
      (``utter_handoff_offer``, Yes/No buttons); ``handoff_offer`` "chat".
    - The chat is closed: nothing said here; ``handoff_offer`` "callback", and the rules run
      ``action_offer_callback``.

    After a message not understood, the offer starts with "Sorry, I still didn't understand."
    """

    def name(self) -> str:
        return "action_offer_handoff"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        clinic = get_clinic()
        unclear = latest_intent(tracker) == FALLBACK_INTENT
        if clinic.handoff is None:
            response = "utter_fallback_contact" if unclear else "utter_human_handoff"
            dispatcher.utter_message(response=response, **clinic.template_values())
            return [SlotSet(OFFER_SLOT, None)]
        if unclear:
            dispatcher.utter_message(response="utter_still_not_understood")
        if not clinic.handoff.is_open(hours.now()):
            return [SlotSet(OFFER_SLOT, CALLBACK)]
        dispatcher.utter_message(response="utter_handoff_offer", **clinic.template_values())
        return [SlotSet(OFFER_SLOT, CHAT)]


class ActionRequestHandoff(Action):
    """The visitor said yes to a person: ask the team, and pause the conversation.

    Sets ``handoff`` "waiting" and ``handoff_requested_at`` (Unix time), tells the visitor
    that a member of the team will join (``utter_handoff_waiting``) and pauses the
    conversation (``ConversationPaused``): the staff app's queue shows it from here on.

    An ``action_listen`` is recorded before the pause, as after any answer of the assistant:
    the visitor's messages while paused, and the first one after the team hands the
    conversation back, then follow a listen, and the rules answer that first message as
    usual. Without a handoff section (clinic.yml changed meanwhile) it gives the clinic's
    details and pauses nothing.
    """

    def name(self) -> str:
        return "action_request_handoff"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        clinic = get_clinic()
        if clinic.handoff is None:
            dispatcher.utter_message(response="utter_human_handoff", **clinic.template_values())
            return []
        dispatcher.utter_message(response="utter_handoff_waiting", **clinic.template_values())
        return [
            SlotSet(STATE_SLOT, WAITING),
            SlotSet(REQUESTED_AT_SLOT, time.time()),
            ActionExecuted("action_listen"),
            ConversationPaused(),
        ]
