"""Call backs: offered when nobody from the team can chat, taken with the visitor's consent.

:class:`ActionOfferCallback` says why nobody can join (the chat is closed until
``next_opening``, or nobody took the conversation in time) and offers a call back. On yes,
``callback_form`` (domain.yml) first says what the details are for and how long they are
kept and asks for consent, then asks a name and a phone number or e-mail address, which
:class:`ValidateCallbackForm` checks. :class:`ActionSubmitCallback` confirms the request
(``callback_requested_at`` is set only then) or says nothing was kept; :class:`ActionStopCallback`
ends the questions when the visitor stops or describes an emergency (data/rules/callback.yml).
"""

from __future__ import annotations

import re
import time
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.handoff import CALLBACK, OFFER_SLOT
from clinic import hours
from clinic.config import get_clinic

FORM = "callback_form"
CONSENT = "callback_consent"
NAME = "callback_name"
CONTACT = "callback_contact"
REQUESTED_AT = "callback_requested_at"
#: The slot that tells the tracker store which slots' answers the visitor withdrew: their
#: messages and slot events are rewritten out of the stored conversation
#: (stores/withdrawn.py), so "nothing kept" holds for the conversation's history too.
WITHDRAWN = "withdrawn_answers"
#: What the form asks, in order; cleared before a new request and when nothing is kept.
DETAILS = (CONSENT, NAME, CONTACT)
#: How many times a name or contact that cannot be read is asked for again before the
#: assistant gives up (it asks three times in all).
MAX_ASKED_AGAIN = 2

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: A phone number: digits with spaces, dots, dashes or brackets, an optional "+" first.
_PHONE = re.compile(r"\+?\(?\d[\d\s().-]{5,}\d")
#: How visitors start a name ("my name is Sam").
_NAME_START = re.compile(
    r"^(?:(?:my )?name(?:'s| is)?:?|i'm|i am|im|it's|it is|this is)(?=\s|$)\s*", re.IGNORECASE
)
#: Characters no name has, and that could make a link or markup of it when it is shown.
_NOT_IN_A_NAME = re.compile(r"[\d@?/\\<>{}\[\]()*_#|=:;]")
MAX_NAME_CHARS = 80
MAX_NAME_WORDS = 5


def contact_in(text: str) -> Optional[str]:
    """The e-mail address or phone number (7 to 15 digits) in ``text``, as written."""
    email = _EMAIL.search(text)
    if email:
        return email.group().rstrip(".")
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 7 <= len(digits) <= 15:
            return " ".join(match.group().split())
    return None


def name_in(text: str) -> Optional[str]:
    """The name in ``text`` ("my name is Sam Jones." -> "Sam Jones"), or ``None`` when it
    does not read as a name: digits, symbols, a question, more than five words."""
    name = _NAME_START.sub("", " ".join(text.split())).strip(" .,!")
    if (
        not name
        or len(name) > MAX_NAME_CHARS
        or len(name.split()) > MAX_NAME_WORDS
        or _NOT_IN_A_NAME.search(name)
    ):
        return None
    return name


def times_asked_again(tracker: Tracker, response: str) -> int:
    """How often ``response`` was sent since the call-back form last started."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == FORM:
            break
        if (
            event.get("event") == "bot"
            and (event.get("metadata") or {}).get("utter_action") == response
        ):
            count += 1
    return count


def withdraw_answers() -> SlotSet:
    """The event by which the name and contact given are removed from the stored
    conversation: the visitor's answers and the slot events that held them."""
    return SlotSet(WITHDRAWN, [NAME, CONTACT])


class ActionOfferCallback(Action):
    """Say why nobody from the team can chat now and offer a call back.

    Outside the chat's hours: when the team is back (``utter_handoff_closed``); during them
    (nobody took the conversation in time): ``utter_handoff_busy``. Then the offer
    (``utter_callback_offer``, Yes/No buttons), ``handoff_offer`` "callback", and the
    call-back slots cleared for a new request. A visitor whose call back is already
    confirmed is told so and offered nothing (``handoff_offer`` null), as is one without a
    handoff (the clinic's details).
    """

    def name(self) -> str:
        return "action_offer_callback"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        clinic = get_clinic()
        values = clinic.template_values()
        if clinic.handoff is None:
            dispatcher.utter_message(response="utter_human_handoff", **values)
            return [SlotSet(OFFER_SLOT, None)]
        if tracker.get_slot(REQUESTED_AT) is not None:
            dispatcher.utter_message(
                response="utter_callback_already", callback_contact=tracker.get_slot(CONTACT)
            )
            return [SlotSet(OFFER_SLOT, None)]
        now = hours.now()
        opening = None if clinic.handoff.is_open(now) else clinic.handoff.next_opening(now)
        if opening is None:
            dispatcher.utter_message(response="utter_handoff_busy")
        else:
            dispatcher.utter_message(
                response="utter_handoff_closed",
                next_opening=hours.spoken(opening, now),
                **values,
            )
        dispatcher.utter_message(response="utter_callback_offer")
        return [SlotSet(OFFER_SLOT, CALLBACK)] + [SlotSet(slot, None) for slot in DETAILS]


class ValidateCallbackForm(FormValidationAction):
    """Check the call-back answers.

    No consent ends the questions at once (nothing else is asked). A name or a contact that
    cannot be read is asked for again, twice, with a word on what is wanted
    (``utter_callback_name_invalid``, ``utter_callback_contact_invalid``); the third time the
    questions end, and ``action_submit_callback`` says nothing was kept.
    """

    def name(self) -> str:
        return "validate_callback_form"

    def validate_callback_consent(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[str, Any]:
        if value is True:
            return {CONSENT: True}
        return {CONSENT: False, REQUESTED_SLOT: None}

    def validate_callback_name(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[str, Any]:
        name = name_in(str(value or ""))
        if name:
            return {NAME: name}
        return self._ask_again(NAME, "utter_callback_name_invalid", dispatcher, tracker)

    def validate_callback_contact(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Dict[str, Any]:
        contact = contact_in(str(value or ""))
        if contact:
            return {CONTACT: contact}
        return self._ask_again(CONTACT, "utter_callback_contact_invalid", dispatcher, tracker)

    @staticmethod
    def _ask_again(
        slot: str, response: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[str, Any]:
        if times_asked_again(tracker, response) >= MAX_ASKED_AGAIN:
            return {slot: None, REQUESTED_SLOT: None}
        dispatcher.utter_message(response=response)
        return {slot: None}


class ActionSubmitCallback(Action):
    """The call-back questions are over: confirm the request, or say nothing was kept.

    With consent, a name and a contact: ``callback_requested_at`` (Unix time) and
    ``utter_callback_confirmed``. Without consent: ``utter_callback_not_kept``; when the name
    or contact could not be read: ``utter_callback_gave_up``; in both the details are
    cleared (consent keeps the visitor's no) and withdrawn from the stored conversation.
    """

    def name(self) -> str:
        return "action_submit_callback"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        clinic = get_clinic()
        values = clinic.template_values()
        name, contact = tracker.get_slot(NAME), tracker.get_slot(CONTACT)
        if tracker.get_slot(CONSENT) is not True:
            dispatcher.utter_message(response="utter_callback_not_kept", **values)
            return [SlotSet(NAME, None), SlotSet(CONTACT, None), withdraw_answers()]
        if not name or not contact:
            dispatcher.utter_message(response="utter_callback_gave_up", **values)
            return [*(SlotSet(slot, None) for slot in DETAILS), withdraw_answers()]
        dispatcher.utter_message(
            response="utter_callback_confirmed",
            callback_name=name,
            callback_contact=contact,
            **values,
        )
        return [SlotSet(REQUESTED_AT, time.time())]


class ActionStopCallback(Action):
    """End the call-back questions, clear what was given and withdraw it from the stored
    conversation, saying nothing: the rules say
    what fits (``utter_callback_not_kept`` when the visitor stopped, the emergency guidance
    after an emergency)."""

    def name(self) -> str:
        return "action_stop_callback"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[EventType]:
        return [
            *(SlotSet(slot, None) for slot in DETAILS),
            withdraw_answers(),
            SlotSet(REQUESTED_SLOT, None),
            ActiveLoop(None),
        ]
