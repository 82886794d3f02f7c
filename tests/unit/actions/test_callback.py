"""Offering a call back, and taking one with the visitor's consent."""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet

from actions.callback import (
    ActionOfferCallback,
    ActionStopCallback,
    ActionSubmitCallback,
    ValidateCallbackForm,
    contact_in,
    name_in,
)
from clinic.config import Clinic
from stores.withdrawn import WITHDRAWN_SLOT
from tests.support.actions import (
    bot_event,
    expected_message,
    make_tracker,
    render,
    run_action,
)

NOW = 1765294200.0
CLEARED = [
    SlotSet(slot, None) for slot in ("callback_consent", "callback_name", "callback_contact")
]
#: The name and contact given are removed from the stored conversation (stores/withdrawn.py).
WITHDRAWN = SlotSet("withdrawn_answers", ["callback_name", "callback_contact"])


# The offer: why nobody can chat, then a call back.


async def test_outside_the_chats_hours_it_says_when_the_team_is_back(
    closed_clinic: Clinic, domain: Domain
) -> None:
    tracker = make_tracker("human_handoff", "can I talk to someone")

    messages, events = await run_action(ActionOfferCallback(), tracker, domain)

    assert messages == [
        expected_message(
            "utter_handoff_closed",
            next_opening="tomorrow at 8:00 (EST)",
            **closed_clinic.template_values(),
        ),
        expected_message("utter_callback_offer"),
    ]
    assert events == [SlotSet("handoff_offer", "callback"), *CLEARED]
    assert render(messages[0], domain)["text"] == (
        "The team at Test Dermatology isn't answering in the chat right now: they're back "
        "tomorrow at 8:00 (EST)."
    )
    offer = render(messages[1], domain)
    assert offer["text"] == "Would you like the team to call or e-mail you back instead?"
    assert [(b["title"], b["payload"]) for b in offer["buttons"]] == [
        ("Yes, please", "/affirm"),
        ("No, thanks", "/deny"),
    ]


async def test_on_saturday_afternoon_the_team_is_back_on_monday(
    clinic: Clinic, domain: Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLINIC_NOW", "2026-12-12T15:00:00-05:00")

    messages, _ = await run_action(ActionOfferCallback(), make_tracker("human_handoff"), domain)

    assert messages[0]["next_opening"] == "on Monday at 8:00 (EST)"


async def test_nobody_free_in_time_is_said_apart_from_the_chat_being_closed(
    open_clinic: Clinic, domain: Domain
) -> None:
    tracker = make_tracker("EXTERNAL_handoff_timeout", previous_intents=["affirm"])

    messages, events = await run_action(ActionOfferCallback(), tracker, domain)

    assert messages == [
        expected_message("utter_handoff_busy"),
        expected_message("utter_callback_offer"),
    ]
    assert events == [SlotSet("handoff_offer", "callback"), *CLEARED]
    assert render(messages[0], domain)["text"] == (
        "I'm sorry, nobody from the team is free to join the chat right now."
    )


async def test_a_call_back_already_confirmed_is_not_offered_again(
    closed_clinic: Clinic, domain: Domain
) -> None:
    tracker = make_tracker(
        "human_handoff",
        slots={"callback_requested_at": NOW, "callback_contact": "sam@example.com"},
    )

    messages, events = await run_action(ActionOfferCallback(), tracker, domain)

    assert messages == [
        expected_message("utter_callback_already", callback_contact="sam@example.com")
    ]
    assert events == [SlotSet("handoff_offer", None)]
    assert render(messages[0], domain)["text"] == (
        "The team already has your request to be contacted at sam@example.com, and will get "
        "back to you."
    )


async def test_without_a_handoff_nothing_is_offered(
    clinic_without_handoff: Clinic, domain: Domain
) -> None:
    messages, events = await run_action(
        ActionOfferCallback(), make_tracker("EXTERNAL_handoff_timeout"), domain
    )

    assert [m["response"] for m in messages] == ["utter_human_handoff"]
    assert events == [SlotSet("handoff_offer", None)]


def test_the_consent_question_says_what_for_and_how_long(clinic: Clinic, domain: Domain) -> None:
    shown = render(
        expected_message("utter_ask_callback_consent", **clinic.template_values()), domain
    )
    assert shown["text"] == (
        "To call or e-mail you back, the team needs your name and a phone number or e-mail "
        "address. We use them only to contact you about your question, and keep them for 14 "
        "days. Is that all right?"
    )
    assert [b["payload"] for b in shown["buttons"]] == ["/affirm", "/deny"]


# The form's answers, checked.


def form_tracker(
    requested: str,
    value: Any,
    text: str = "",
    earlier: Optional[List[Dict[str, Any]]] = None,
) -> Tracker:
    """The tracker the validation gets: the form asking ``requested``, the visitor's answer
    ``text`` and the value Rasa extracted from it (a slot set after the message)."""
    slots = {"requested_slot": requested, requested: value}
    if requested != "callback_consent":
        slots["callback_consent"] = True
    return make_tracker(
        "out_of_scope",
        text,
        slots=slots,
        before=[
            bot_event("utter_callback_contact_invalid"),  # an earlier request: not counted
            {"event": "active_loop", "name": "callback_form"},
            *(earlier or []),
        ],
        after=[{"event": "slot", "name": requested, "value": value}],
        active_loop="callback_form",
    )


async def validate(tracker: Tracker, domain: Domain) -> tuple:
    return await run_action(ValidateCallbackForm(), tracker, domain)


async def test_consent_lets_the_questions_go_on(clinic: Clinic, domain: Domain) -> None:
    messages, events = await validate(form_tracker("callback_consent", True, "yes"), domain)
    assert (messages, events) == ([], [SlotSet("callback_consent", True)])


async def test_no_consent_ends_the_questions_at_once(clinic: Clinic, domain: Domain) -> None:
    messages, events = await validate(form_tracker("callback_consent", False, "no"), domain)
    assert messages == []
    assert events == [SlotSet("callback_consent", False), SlotSet("requested_slot", None)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Sam Jones", "Sam Jones"),
        ("my name is Sam Jones.", "Sam Jones"),
        ("I'm Aoife O'Brien-Smith", "Aoife O'Brien-Smith"),
        ("  José   García ", "José García"),
        ("Dr. Priya Patel", "Dr. Priya Patel"),
        ("Name: Kim", "Kim"),
    ],
)
def test_a_name_is_read(text: str, name: str) -> None:
    assert name_in(text) == name


@pytest.mark.parametrize(
    "text",
    [
        "",
        "my name is",
        "07700 900123",
        "sam@example.com",
        "can you ask someone to call me please",
        "what does it cost?",
        "[Sam](javascript:alert(1))",
        "<b>Sam</b>",
        "x" * 81,
    ],
)
def test_what_is_not_a_name_is_not_taken_for_one(text: str) -> None:
    assert name_in(text) is None


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        ("07700 900123", "07700 900123"),
        ("+44 (0)20 7946-0000", "+44 (0)20 7946-0000"),
        ("call me on 555.010.0199 after 5", "555.010.0199"),
        ("sam.jones+clinic@example.co.uk", "sam.jones+clinic@example.co.uk"),
        ("it's Sam@Example.com.", "Sam@Example.com"),
        ("my email is sam@example.com or 07700 900123", "sam@example.com"),
    ],
)
def test_a_phone_number_or_an_email_address_is_read(text: str, contact: str) -> None:
    assert contact_in(text) == contact


@pytest.mark.parametrize(
    "text", ["", "call me", "12345", "sam at example dot com", "sam@example", "+1 2"]
)
def test_what_is_neither_is_not_taken_for_a_contact(text: str) -> None:
    assert contact_in(text) is None


async def test_a_name_is_kept_as_read(clinic: Clinic, domain: Domain) -> None:
    tracker = form_tracker("callback_name", "my name is Sam Jones", "my name is Sam Jones")
    messages, events = await validate(tracker, domain)
    assert (messages, events) == ([], [SlotSet("callback_name", "Sam Jones")])


async def test_a_contact_is_kept_as_read(clinic: Clinic, domain: Domain) -> None:
    tracker = form_tracker("callback_contact", "it's 07700 900123 thanks", "07700 900123")
    messages, events = await validate(tracker, domain)
    assert (messages, events) == ([], [SlotSet("callback_contact", "07700 900123")])


@pytest.mark.parametrize(
    ("slot", "text", "response"),
    [
        ("callback_name", "call me after lunch please, ok", "utter_callback_name_invalid"),
        ("callback_contact", "whenever suits", "utter_callback_contact_invalid"),
    ],
)  # fmt: skip
async def test_an_answer_that_cannot_be_read_is_asked_again_twice(
    clinic: Clinic, domain: Domain, slot: str, text: str, response: str
) -> None:
    first = await validate(form_tracker(slot, text, text), domain)
    assert first == ([expected_message(response)], [SlotSet(slot, None)])

    second = await validate(form_tracker(slot, text, text, [bot_event(response)]), domain)
    assert second == ([expected_message(response)], [SlotSet(slot, None)])

    # The third time the questions end; action_submit_callback says nothing was kept.
    third = await validate(
        form_tracker(slot, text, text, [bot_event(response), bot_event(response)]), domain
    )
    assert third == ([], [SlotSet(slot, None), SlotSet("requested_slot", None)])


async def test_what_it_says_when_an_answer_cannot_be_read(clinic: Clinic, domain: Domain) -> None:
    assert render(expected_message("utter_callback_name_invalid"), domain)["text"] == (
        "Sorry, I only need the name to ask for, such as Sam Jones."
    )
    assert render(expected_message("utter_callback_contact_invalid"), domain)["text"] == (
        "Sorry, I couldn't find a phone number or an e-mail address in that."
    )


# The end of the questions.


def done_tracker(**slots: Any) -> Tracker:
    return make_tracker("out_of_scope", "sam@example.com", slots=slots)


async def test_a_request_with_consent_is_confirmed_and_only_then_timed(
    clinic: Clinic, domain: Domain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(time, "time", lambda: NOW)
    tracker = done_tracker(
        callback_consent=True, callback_name="Sam Jones", callback_contact="sam@example.com"
    )

    messages, events = await run_action(ActionSubmitCallback(), tracker, domain)

    assert messages == [
        expected_message(
            "utter_callback_confirmed",
            callback_name="Sam Jones",
            callback_contact="sam@example.com",
            **clinic.template_values(),
        )
    ]
    assert events == [SlotSet("callback_requested_at", NOW)]
    assert render(messages[0], domain)["text"] == (
        "Thank you, Sam Jones. The team will contact you at sam@example.com about your "
        "question. We keep these details for 14 days."
    )


async def test_without_consent_nothing_is_kept(clinic: Clinic, domain: Domain) -> None:
    messages, events = await run_action(
        ActionSubmitCallback(), done_tracker(callback_consent=False), domain
    )

    assert messages == [expected_message("utter_callback_not_kept", **clinic.template_values())]
    assert events == [
        SlotSet("callback_name", None),
        SlotSet("callback_contact", None),
        WITHDRAWN,
    ]
    assert render(messages[0], domain)["text"] == (
        "That's fine: I haven't kept any contact details. You can reach the team at Test "
        "Dermatology on +1 555 0100 (weekdays 8 to 4) or at desk@test-dermatology.example."
    )


@pytest.mark.parametrize(
    "slots",
    [
        {"callback_consent": True, "callback_name": "Sam Jones"},
        {"callback_consent": True, "callback_contact": "sam@example.com"},
    ],
)
async def test_when_an_answer_could_not_be_read_nothing_is_kept(
    clinic: Clinic, domain: Domain, slots: Dict[str, Any]
) -> None:
    messages, events = await run_action(ActionSubmitCallback(), done_tracker(**slots), domain)

    assert messages == [expected_message("utter_callback_gave_up", **clinic.template_values())]
    assert events == [*CLEARED, WITHDRAWN]


async def test_stopping_clears_the_answers_and_ends_the_questions_silently(
    clinic: Clinic, domain: Domain
) -> None:
    tracker = make_tracker(
        "deny",
        "stop",
        slots={"callback_consent": True, "callback_name": "Sam Jones"},
        active_loop="callback_form",
    )

    messages, events = await run_action(ActionStopCallback(), tracker, domain)

    assert messages == []
    assert events == [*CLEARED, WITHDRAWN, SlotSet("requested_slot", None), ActiveLoop(None)]


def test_the_withdrawal_slot_is_the_one_the_tracker_store_reads(domain: Domain) -> None:
    assert WITHDRAWN["name"] == WITHDRAWN_SLOT
    assert WITHDRAWN_SLOT in [slot.name for slot in domain.slots]
