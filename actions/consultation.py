"""Consultation actions: how to book a consultation."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from clinic.config import get_clinic


class ActionConsultationInfo(Action):
    """Give the booking link, phone number and opening hours (``book_consultation``, or
    "yes" to the booking offer after a refusal). A visitor who asks for a person gets
    ``action_offer_handoff`` (:mod:`actions.handoff`)."""

    def name(self) -> str:
        return "action_consultation_info"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[Dict[str, Any]]:
        dispatcher.utter_message(
            response="utter_consultation_info", **get_clinic().template_values()
        )
        return []
