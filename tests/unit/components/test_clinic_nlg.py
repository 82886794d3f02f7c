"""Responses name the clinic from clinic.yml inside the Rasa server."""

from __future__ import annotations

from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from clinic.config import Clinic
from components.clinic_nlg import ClinicResponseGenerator


def tracker(domain: Domain) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("visitor", [], slots=domain.slots)


async def test_emergency_guidance_needs_no_action_server(clinic: Clinic, domain: Domain) -> None:
    nlg = ClinicResponseGenerator(domain=domain)

    shown = await nlg.generate("utter_emergency_guidance", tracker(domain), "rest")

    assert shown is not None
    assert shown["text"].startswith("This could be a serious reaction. Call 911 or go to")


async def test_the_cost_answer_gives_the_clinic_contact(clinic: Clinic, domain: Domain) -> None:
    nlg = ClinicResponseGenerator(domain=domain)

    shown = await nlg.generate("utter_faq/cost", tracker(domain), "rest")

    assert shown is not None
    assert "so I can't quote a price here" in shown["text"]
    assert "call Test Dermatology on +1 555 0100 (weekdays 8 to 4)" in shown["text"]
    assert "https://test-dermatology.example/book" in shown["text"]


async def test_values_an_action_passes_win(clinic: Clinic, domain: Domain) -> None:
    nlg = ClinicResponseGenerator(domain=domain)

    shown = await nlg.generate(
        "utter_emergency_guidance", tracker(domain), "rest", emergency_number="112"
    )

    assert shown is not None
    assert "Call 112 or go to" in shown["text"]


#: Values that the actions (or the handoff's routes) pass with the responses that use them.
PASSED = {
    "next_opening": "tomorrow at 8:00 (EST)",
    "callback_name": "Sam",
    "callback_contact": "sam@example.com",
    "staff_name": "Alex",
}


async def test_every_response_is_filled_completely(clinic: Clinic, domain: Domain) -> None:
    nlg = ClinicResponseGenerator(domain=domain)
    for name in domain.responses:
        shown = await nlg.generate(name, tracker(domain), "rest", **PASSED)
        assert shown is not None, name
        assert "{" not in shown["text"] and "}" not in shown["text"], (name, shown["text"])


async def test_the_handoff_responses_name_the_clinics_times(
    clinic: Clinic, domain: Domain
) -> None:
    nlg = ClinicResponseGenerator(domain=domain)

    offer = await nlg.generate("utter_handoff_offer", tracker(domain), "rest")
    consent = await nlg.generate("utter_ask_callback_consent", tracker(domain), "rest")

    assert offer is not None and consent is not None
    assert "It can take up to 2 minutes;" in offer["text"]
    assert "keep them for 14 days." in consent["text"]
