"""Offering a member of the team, and handing the conversation over on yes."""

from __future__ import annotations

import time

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk.events import ActionExecuted, ConversationPaused, SlotSet

from actions.handoff import ActionOfferHandoff, ActionRequestHandoff
from clinic.config import Clinic
from tests.support.actions import expected_message, make_tracker, render, run_action

#: 2026-12-09 15:30 UTC, Wednesday 10:30 at the test clinic.
NOW = 1765294200.0


async def test_while_the_team_answers_in_the_chat_a_person_is_offered(
    open_clinic: Clinic, domain: Domain
) -> None:
    tracker = make_tracker("human_handoff", "can I talk to a real person")

    messages, events = await run_action(ActionOfferHandoff(), tracker, domain)

    assert messages == [expected_message("utter_handoff_offer", **open_clinic.template_values())]
    assert events == [SlotSet("handoff_offer", "chat")]
    shown = render(messages[0], domain)
    assert shown["text"] == (
        "I can ask a member of the team at Test Dermatology to join this chat. It can take "
        "up to 2 minutes; if nobody is free by then, I'll offer you a call back instead. "
        "Shall I ask them?"
    )
    assert [(b["title"], b["payload"]) for b in shown["buttons"]] == [
        ("Yes, connect me", "/affirm"),
        ("No, thanks", "/deny"),
    ]


async def test_after_a_refusal_asking_for_a_person_gets_the_same_offer(
    open_clinic: Clinic, domain: Domain
) -> None:
    tracker = make_tracker(
        "human_handoff", "can I ask one of your nurses then", ["request_medical_advice"]
    )

    messages, events = await run_action(ActionOfferHandoff(), tracker, domain)

    assert [m["response"] for m in messages] == ["utter_handoff_offer"]
    assert events == [SlotSet("handoff_offer", "chat")]


async def test_not_understood_twice_the_offer_says_sorry_first(
    open_clinic: Clinic, domain: Domain
) -> None:
    tracker = make_tracker("nlu_fallback", "the thing with the stuff", ["nlu_fallback"])

    messages, events = await run_action(ActionOfferHandoff(), tracker, domain)

    assert messages == [
        expected_message("utter_still_not_understood"),
        expected_message("utter_handoff_offer", **open_clinic.template_values()),
    ]
    assert events == [SlotSet("handoff_offer", "chat")]
    assert render(messages[0], domain)["text"] == "Sorry, I still didn't understand."


async def test_outside_the_chats_hours_a_call_back_is_offered_instead(
    closed_clinic: Clinic, domain: Domain
) -> None:
    tracker = make_tracker("human_handoff", "can I talk to someone")

    messages, events = await run_action(ActionOfferHandoff(), tracker, domain)

    # The rules run action_offer_callback next, which says why and offers it.
    assert messages == []
    assert events == [SlotSet("handoff_offer", "callback")]


@pytest.mark.parametrize(
    "now",
    [
        "2026-12-25T10:30:00-05:00",  # a Friday, but a closed day
        "2026-12-13T10:30:00-05:00",  # Sunday: closed
        "2026-12-12T12:00:00-05:00",  # Saturday at closing time
        "2026-12-09T07:59:00-05:00",  # a Wednesday before 8:00
    ],
)
async def test_closed_days_and_hours_offer_a_call_back(
    clinic: Clinic, domain: Domain, monkeypatch: pytest.MonkeyPatch, now: str
) -> None:
    monkeypatch.setenv("CLINIC_NOW", now)

    messages, events = await run_action(
        ActionOfferHandoff(), make_tracker("human_handoff"), domain
    )

    assert (messages, events) == ([], [SlotSet("handoff_offer", "callback")])


async def test_not_understood_twice_outside_the_hours_says_sorry_then_the_rules_go_on(
    closed_clinic: Clinic, domain: Domain
) -> None:
    tracker = make_tracker("nlu_fallback", "hmm", ["nlu_fallback"])

    messages, events = await run_action(ActionOfferHandoff(), tracker, domain)

    assert messages == [expected_message("utter_still_not_understood")]
    assert events == [SlotSet("handoff_offer", "callback")]


async def test_without_a_handoff_a_person_asked_for_gets_the_clinics_details(
    clinic_without_handoff: Clinic, domain: Domain
) -> None:
    tracker = make_tracker("human_handoff", "can I talk to a nurse")

    messages, events = await run_action(ActionOfferHandoff(), tracker, domain)

    assert messages == [
        expected_message("utter_human_handoff", **clinic_without_handoff.template_values())
    ]
    assert events == [SlotSet("handoff_offer", None)]
    text = render(messages[0], domain)["text"]
    assert text.startswith("I can't transfer you to a person in this chat")
    assert "call +1 555 0100 (weekdays 8 to 4)" in text


async def test_without_a_handoff_not_understood_twice_gets_the_clinics_details(
    clinic_without_handoff: Clinic, domain: Domain
) -> None:
    tracker = make_tracker("nlu_fallback", "still the thing", ["nlu_fallback"])

    messages, events = await run_action(ActionOfferHandoff(), tracker, domain)

    assert messages == [
        expected_message("utter_fallback_contact", **clinic_without_handoff.template_values())
    ]
    assert events == [SlotSet("handoff_offer", None)]


async def test_yes_asks_the_team_and_pauses_the_conversation(
    open_clinic: Clinic, domain: Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time, "time", lambda: NOW)
    tracker = make_tracker("affirm", "yes please", ["human_handoff"])

    messages, events = await run_action(ActionRequestHandoff(), tracker, domain)

    assert messages == [expected_message("utter_handoff_waiting", **open_clinic.template_values())]
    assert events == [
        SlotSet("handoff", "waiting"),
        SlotSet("handoff_requested_at", NOW),
        ActionExecuted("action_listen"),
        ConversationPaused(),
    ]
    assert render(messages[0], domain)["text"] == (
        "Thank you. I've asked the team to join, and a member of the team will write here as "
        "soon as they can. Please keep this chat open. If this is an emergency, call 911 now."
    )


async def test_yes_without_a_handoff_any_more_pauses_nothing(
    clinic_without_handoff: Clinic, domain: Domain
) -> None:
    tracker = make_tracker("affirm", "yes", ["human_handoff"])

    messages, events = await run_action(ActionRequestHandoff(), tracker, domain)

    assert [m["response"] for m in messages] == ["utter_human_handoff"]
    assert events == []
