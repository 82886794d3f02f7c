"""Fallback action: ask the visitor to rephrase, then offer the team."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from clinic.config import get_clinic

FALLBACK_INTENT = "nlu_fallback"


def _previous_user_intent(tracker: Tracker) -> str | None:
    """Intent of the user message before the latest one, if there was one."""
    user_events = [e for e in reversed(tracker.events) if e.get("event") == "user"]
    if len(user_events) < 2:
        return None
    intent = (user_events[1].get("parse_data") or {}).get("intent") or {}
    name = intent.get("name")
    return str(name) if name else None


class ActionRephrase(Action):
    """Answer a message the assistant is not sure it understood.

    The first time, it asks the visitor to rephrase and shows topic buttons, never a guess.
    When the message before was not understood either, it offers the clinic's team instead
    of asking a third time.
    """

    def name(self) -> str:
        return "action_rephrase"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[Dict[str, Any]]:
        if _previous_user_intent(tracker) == FALLBACK_INTENT:
            dispatcher.utter_message(
                response="utter_fallback_contact", **get_clinic().template_values()
            )
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return []
