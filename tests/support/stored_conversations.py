"""Conversations as the Rasa server stores them: its events, one conversation of each kind
the staff app's Review page flags, saved in Rasa's own SQL tracker store."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
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
