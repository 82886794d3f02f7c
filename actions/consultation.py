"""Consultation actions: how to book, and how to reach the clinic's team."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from clinic.config import get_clinic


class ActionConsultationInfo(Action):
    """Give the booking link, phone number and opening hours.

    A visitor who asked for a person (``human_handoff``) is told this chat cannot transfer
    them and how to reach the team; everyone else (``book_consultation``, or "yes" after a
    refusal) gets how to book.
    """

    def name(self) -> str:
        return "action_consultation_info"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[Dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        response = (
            "utter_human_handoff" if intent == "human_handoff" else "utter_consultation_info"
        )
        dispatcher.utter_message(response=response, **get_clinic().template_values())
        return []
