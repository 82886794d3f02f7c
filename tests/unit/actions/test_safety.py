"""Refusal of personal medical advice and emergency guidance."""

from __future__ import annotations

from rasa.shared.core.domain import Domain
from rasa_sdk.events import SlotSet

from actions.safety import ActionEmergencyGuidance
from clinic.config import Clinic
from tests.support.actions import expected_message, make_tracker, render, run_action


def test_refusal_says_why_and_offers_a_consultation(clinic: Clinic, domain: Domain) -> None:
    # Sent by Rasa itself, with the clinic's facts (components/clinic_nlg.py).
    shown = render(
        expected_message("utter_refuse_medical_advice", **clinic.template_values()), domain
    )
    text = shown["text"]
    assert text.startswith("I'm sorry, I can't advise on your own situation.")
    assert "only a clinician who has examined you can judge" in text
    assert "call +1 555 0100 (weekdays 8 to 4)" in text
    assert "https://test-dermatology.example/book" in text
    assert "Test Dermatology" in text
    assert text.endswith("Would you like help booking a consultation?")
    assert shown["buttons"] == [
        {"title": "Yes, book a consultation", "payload": "/affirm"},
        {"title": "No, thanks", "payload": "/deny"},
    ]


async def test_emergency_follow_up_names_the_clinic_and_marks_the_conversation(
    clinic: Clinic, domain: Domain
) -> None:
    tracker = make_tracker("report_emergency_symptom", "I can't swallow since my shots")

    messages, events = await run_action(ActionEmergencyGuidance(), tracker, domain)

    assert messages == [expected_message("utter_emergency_follow_up", **clinic.template_values())]
    assert events == [SlotSet("emergency_reported", True)]
    shown = render(messages[0], domain)
    assert shown["text"] == "When you are safe, let Test Dermatology know on +1 555 0100."
    # Emergency care and nothing else: no buttons, no questions, no FAQ.
    assert "buttons" not in shown


def test_the_emergency_number_itself_needs_no_action(clinic: Clinic, domain: Domain) -> None:
    shown = render(
        expected_message("utter_emergency_guidance", **clinic.template_values()), domain
    )
    assert shown["text"] == (
        "This could be a serious reaction. Call 911 or go to the nearest emergency "
        "department now. Do not wait to see if it gets better."
    )


def test_action_names_are_the_ones_the_domain_lists(domain: Domain) -> None:
    names = {ActionEmergencyGuidance().name()}
    assert names <= set(domain.user_actions)
