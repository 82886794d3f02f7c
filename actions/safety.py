"""Safety actions: guide a visitor to emergency care.

The refusal of personal medical advice is a response Rasa sends itself
(``utter_refuse_medical_advice``, rule in ``data/rules/safety.yml``), so that it needs no
action server.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from clinic.config import get_clinic


class ActionEmergencyGuidance(Action):
    """Follow the emergency guidance: tell the clinic, and mark the conversation.

    Rasa has already sent ``utter_emergency_guidance`` (call the emergency number now)
    before this action runs, so that it reaches the visitor even without the action server.
    This adds the clinic's phone number and nothing else, and sets ``emergency_reported``
    so staff can find the conversation.
    """

    def name(self) -> str:
        return "action_emergency_guidance"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[Dict[str, Any]]:
        dispatcher.utter_message(
            response="utter_emergency_follow_up", **get_clinic().template_values()
        )
        return [SlotSet("emergency_reported", True)]
