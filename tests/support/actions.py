"""Run an action as the action server would, on a tracker as it receives one, and render
what it sent through Rasa's NLG."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


def user_event(intent: str, text: str = "") -> Dict[str, Any]:
    """A user event as the action server receives it."""
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": []},
    }


def bot_event(response: str, text: str = "") -> Dict[str, Any]:
    """A message of the assistant's as the action server receives it: the response it was
    made from is in its metadata (Rasa's ``utter_action``)."""
    return {"event": "bot", "text": text, "metadata": {"utter_action": response}}


def make_tracker(
    intent: str,
    text: str = "",
    previous_intents: List[str] | None = None,
    slots: Dict[str, Any] | None = None,
    before: List[Dict[str, Any]] | None = None,
    after: List[Dict[str, Any]] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    """A tracker whose latest message has ``intent``, after ``previous_intents``.

    Args:
        slots: slot values besides ``emergency_reported`` (False).
        before: events before the first message (an earlier part of the conversation).
        after: events after the latest message (slots a form extracted from it).
        active_loop: the form that is active.
    """
    events: List[Dict[str, Any]] = list(before or [])
    for previous in previous_intents or []:
        events.append(user_event(previous))
        events.append({"event": "action", "name": "action_listen"})
    latest = user_event(intent, text)
    events.append(latest)
    events.extend(after or [])
    return Tracker(
        sender_id="test-visitor",
        slots={"emergency_reported": False, **(slots or {})},
        latest_message={
            "text": text,
            "intent": latest["parse_data"]["intent"],
            "entities": [],
        },
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


async def run_action(
    action: Action, tracker: Tracker, domain: Domain
) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """The messages the action sent and the events it returned."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain.as_dict())
    return dispatcher.messages, events


def expected_message(response: str, **values: Any) -> Dict[str, Any]:
    """The message ``dispatcher.utter_message(response=..., **values)`` sends."""
    return {
        "text": None,
        "buttons": [],
        "elements": [],
        "custom": {},
        "template": response,
        "response": response,
        "image": None,
        "attachment": None,
        **values,
    }


def render(message: Dict[str, Any], domain: Domain) -> Dict[str, Any]:
    """What the Rasa server makes of the message: its response, filled with its values."""
    values = {k: v for k, v in message.items() if k not in ("response", "template")}
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    rendered = nlg.generate_from_slots(message["response"], {}, "rest", **values)
    assert rendered is not None, f"{message['response']} is not a response of the domain"
    return rendered
