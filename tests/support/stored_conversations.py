"""Conversations as the Rasa server stores them: its events, one conversation of each kind
the staff app's Review page flags, and the live chat's steps (issue 17's contract), saved
in Rasa's own SQL tracker store."""

from __future__ import annotations

import warnings
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker


def user(
    text: str,
    intent: str,
    confidence: float = 0.95,
    at: float = 0.0,
    topic: Optional[str] = None,
    guard: Optional[Dict[str, Any]] = None,
    channel: str = "rest",
) -> UserUttered:
    """A visitor's message with the parse data Rasa's pipeline gives it."""
    parse_data: Dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": [],
        "intent_ranking": [{"name": intent, "confidence": confidence}],
    }
    if topic:
        parse_data["response_selector"] = {
            "all_retrieval_intents": ["faq"],
            "faq": {
                "response": {
                    "intent_response_key": f"faq/{topic}",
                    "utter_action": f"utter_faq/{topic}",
                    "confidence": 0.9,
                    "responses": [{"text": "..."}],
                },
                "ranking": [],
            },
        }
    if guard:
        parse_data["safety_guard"] = guard
    return UserUttered(
        text,
        intent={"name": intent, "confidence": confidence},
        parse_data=parse_data,
        timestamp=at,
        input_channel=channel,
    )


def bot(text: str, response: str, at: float = 0.0) -> List[Event]:
    """The assistant's action and the message it sent."""
    return [
        ActionExecuted(response, timestamp=at),
        BotUttered(text, {"buttons": None}, {"utter_action": response}, timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
    ]


def conversation(start: float, *turns: Any) -> List[Event]:
    """A conversation starting at ``start``: each turn is a (user event, bot events) pair
    a second apart."""
    events: List[Event] = [
        ActionExecuted("action_session_start", timestamp=start),
        SessionStarted(timestamp=start),
        ActionExecuted("action_listen", timestamp=start),
    ]
    for index, (said, answered) in enumerate(turns):
        at = start + index + 1
        said.timestamp = at
        events.append(said)
        for event in answered:
            event.timestamp = at + 0.5
            events.append(event)
    return events


GUARD_EMERGENCY = {
    "intent": "report_emergency_symptom",
    "rule": "symptom_now",
    "matched": "trouble breathing",
    "classifier_intent": {"name": "faq", "confidence": 0.71},
    "entities": [],
}


def kinds_of_conversations(now: float) -> Dict[str, List[Event]]:
    """One conversation of each kind the Review page flags, and a plain one, by sender;
    ``now`` is the latest event's time, the others are earlier the same day."""
    return {
        "plain": conversation(
            now - 3000,
            (user("/greet", "greet", 1.0, channel="socketio"), bot("Hello!", "utter_greet")),
            (
                user("does it hurt", "faq", 0.97, topic="pain"),
                bot("Most people feel only a small pinch.", "utter_faq/pain"),
            ),
        ),
        "refused": conversation(
            now - 2500,
            (
                user("Is botox safe for me? I take isotretinoin.", "request_medical_advice"),
                bot(
                    "I'm sorry, I can't advise on your own situation.",
                    "utter_refuse_medical_advice",
                ),
            ),
        ),
        "handoff": conversation(
            now - 2000,
            (
                user("can I talk to a real person", "human_handoff"),
                bot("The team is happy to help: call us.", "utter_human_handoff"),
            ),
        ),
        "fallback": conversation(
            now - 1500,
            (
                user("blorp zzz", "nlu_fallback", 0.3),
                bot("Sorry, I'm not sure I understood.", "utter_ask_rephrase"),
            ),
        ),
        "unsure": conversation(
            now - 1000,
            (
                user("how long till i look normal", "faq", 0.45, topic="downtime"),
                bot("Minimal downtime is needed.", "utter_faq/downtime"),
            ),
        ),
        "off_topic": conversation(
            now - 2600,
            (
                user("what's the weather in paris", "out_of_scope", 0.9),
                bot("Sorry, I can only help with questions about Botox.", "utter_out_of_scope"),
            ),
        ),
        "other_language": conversation(
            now - 2700,
            (
                user("¿cuánto dura el efecto del botox?", "other_language", 1.0),
                bot("Lo siento, solo puedo responder en inglés.", "utter_other_language"),
            ),
        ),
        "not_covered": conversation(
            now - 2800,
            (
                user("can I drink alcohol after the injections", "not_covered", 0.8),
                bot("The information I have doesn't cover that.", "utter_not_covered"),
            ),
        ),
        "emergency": conversation(
            now - 3600,
            (
                user(
                    "I have trouble breathing since my injections",
                    "report_emergency_symptom",
                    1.0,
                    guard=GUARD_EMERGENCY,
                ),
                bot("Call 911 now.", "utter_emergency_guidance"),
            ),
        ),
    }


async def save_conversations(
    store: SQLTrackerStore, conversations: Dict[str, List[Event]]
) -> None:
    for sender, events in conversations.items():
        await store.save(DialogueStateTracker.from_events(sender, events))


def sqlite_store(path: Path) -> SQLTrackerStore:
    """Rasa's own SQL tracker store on the SQLite file ``path``."""
    return SQLTrackerStore(dialect="sqlite", db=str(path))


def timestamp(moment: datetime) -> float:
    return moment.timestamp()


# The live chat (issue 17): the events its contract describes, as the Rasa server stores
# them (Part 1's action_request_handoff and callback flow, Part 2's routes).

#: The slots of the live chat and the callbacks (domain.yml, issue 17's contract), and the
#: emergency slot: a tracker store with this domain reads them back as Rasa does.
HANDOFF_DOMAIN_YAML = """
version: "3.1"
slots:
  handoff: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  handoff_staff: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  handoff_requested_at: {type: float, influence_conversation: false, mappings: [{type: custom}]}
  callback_consent: {type: bool, influence_conversation: false, mappings: [{type: custom}]}
  callback_name: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  callback_contact: {type: text, influence_conversation: false, mappings: [{type: custom}]}
  callback_requested_at: {type: float, influence_conversation: false, mappings: [{type: custom}]}
  emergency_reported:
    {type: bool, initial_value: false, influence_conversation: false, mappings: [{type: custom}]}
"""
WAITING_TEXT = "A member of the team will join this chat shortly."
RETURNED_TEXT = "You are back with the clinic's assistant."


def handoff_domain() -> Domain:
    with warnings.catch_warnings():  # Rasa 3's note on slot mappings, for every domain
        warnings.simplefilter("ignore", UserWarning)
        return Domain.from_yaml(HANDOFF_DOMAIN_YAML)


def handoff_store(path: Path) -> SQLTrackerStore:
    """Rasa's SQL tracker store on the SQLite file ``path``, with the live chat's slots."""
    return SQLTrackerStore(domain=handoff_domain(), dialect="sqlite", db=str(path))


def asks_for_a_person(
    at: float, text: str = "can I talk to a real person", channel: str = "rest"
) -> List[Event]:
    """The visitor asks for a person and says yes (Part 1: ``action_request_handoff``)."""
    return [
        user(text, "human_handoff", 0.98, at=at, channel=channel),
        ActionExecuted("action_request_handoff", timestamp=at + 0.1),
        SlotSet("handoff", "waiting", timestamp=at + 0.1),
        SlotSet("handoff_requested_at", at + 0.1, timestamp=at + 0.1),
        BotUttered(
            WAITING_TEXT, {}, {"utter_action": "utter_handoff_waiting"}, timestamp=at + 0.1
        ),
        ConversationPaused(timestamp=at + 0.1),
    ]


def staff_joined(name: str, at: float) -> List[Event]:
    """A staff member took the conversation (Part 2's ``take``)."""
    return [
        SlotSet("handoff", "taken", timestamp=at),
        SlotSet("handoff_staff", name, timestamp=at),
        BotUttered(f"{name} from the clinic has joined the chat.", {},
                   {"handoff": "joined", "staff": name}, timestamp=at),
    ]  # fmt: skip


def staff_wrote(name: str, text: str, at: float) -> List[Event]:
    """A staff member's message (Part 2's ``message``)."""
    return [BotUttered(text, {}, {"staff": name}, timestamp=at)]


def handed_back(at: float, returned: bool = True) -> List[Event]:
    """Back to the assistant (Part 2's ``resume``; without the message on a timeout)."""
    said: List[Event] = (
        [BotUttered(RETURNED_TEXT, {}, {"utter_action": "utter_handoff_returned"}, timestamp=at)]
        if returned
        else []
    )
    return [
        *said,
        SlotSet("handoff", None, timestamp=at),
        SlotSet("handoff_staff", None, timestamp=at),
        SlotSet("handoff_requested_at", None, timestamp=at),
        ConversationResumed(timestamp=at),
    ]


def emergency_while_paused(at: float) -> List[Event]:
    """An emergency typed while waiting: the Rasa server runs the emergency guidance at
    once (Part 2's exception to the pause)."""
    return [
        user("my throat is swelling and I can't swallow", "report_emergency_symptom", 1.0,
             at=at, guard=GUARD_EMERGENCY),
        ActionExecuted("action_emergency_guidance", timestamp=at + 0.1),
        BotUttered("Call 911 now, or go to the nearest emergency department.", {},
                   {"utter_action": "utter_emergency_follow_up"}, timestamp=at + 0.1),
        SlotSet("emergency_reported", True, timestamp=at + 0.1),
    ]  # fmt: skip


def callback_given(name: str, contact: str, at: float) -> List[Event]:
    """The callback flow after a timeout (Part 1's ``action_offer_callback``): the visitor
    gives a name and a contact and consents; ``callback_requested_at`` is ``at``."""
    return [
        ActionExecuted("action_offer_callback", timestamp=at - 3),
        BotUttered("Nobody is free right now. Would you like a call back?", {},
                   {"utter_action": "utter_offer_callback"}, timestamp=at - 3),
        user("yes please", "affirm", 0.99, at=at - 2.5),
        user(name, "inform", 0.9, at=at - 2),
        SlotSet("callback_name", name, timestamp=at - 2),
        user(contact, "inform", 0.9, at=at - 1),
        SlotSet("callback_contact", contact, timestamp=at - 1),
        user("yes", "affirm", 0.99, at=at - 0.5),
        SlotSet("callback_consent", True, timestamp=at),
        SlotSet("callback_requested_at", at, timestamp=at),
        BotUttered("Thank you: the clinic will call you back.", {},
                   {"utter_action": "utter_callback_confirmed"}, timestamp=at),
    ]  # fmt: skip


def started(at: float) -> List[Event]:
    """The start of a conversation (as the Rasa server begins a session)."""
    return [
        ActionExecuted("action_session_start", timestamp=at),
        SessionStarted(timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
    ]


async def append_events(store: SQLTrackerStore, sender: str, events: List[Event]) -> None:
    """Store ``events`` after those of ``sender``'s conversation (as a Rasa server stores a
    turn); a new conversation starts with them."""
    tracker = await store.retrieve(sender)
    if tracker is None:
        tracker = DialogueStateTracker(sender, store.domain.slots)
    for event in events:
        tracker.update(event)
    await store.save(tracker)
