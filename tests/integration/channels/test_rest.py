"""Conversations through the real running servers over the REST channel.

They prove the whole chain: the trained model, the action server, the clinic config read
by both servers, and the tracker store.
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from tests.servers import Servers

pytestmark = pytest.mark.integration


def texts(messages: List[Dict[str, Any]]) -> List[str]:
    return [m.get("text", "") for m in messages]


def test_an_faq_question_gets_its_answer(servers: Servers) -> None:
    replies = servers.say("faq-visitor", "once it's done, how many months will it last?")

    assert len(replies) == 1
    assert replies[0]["text"].startswith("Results can last from three to six months")
    assert "Book a consultation" in [b["title"] for b in replies[0]["buttons"]]
    # Nothing marks an ordinary conversation as an emergency (staff filter on this slot).
    slots = [e for e in servers.events("faq-visitor") if e["event"] == "slot"]
    assert slots == []


def test_personal_advice_is_refused_then_booking_is_offered(servers: Servers) -> None:
    sender = "advice-visitor"

    refusal = servers.say(sender, "I take blood thinners every day, can I still get botox?")

    assert len(refusal) == 1
    text = refusal[0]["text"]
    assert text.startswith("I'm sorry, I can't advise on your own situation.")
    assert "call +1 555 0100 (weekdays 8 to 4)" in text
    assert "https://test-dermatology.example/book" in text
    assert [b["payload"] for b in refusal[0]["buttons"]] == ["/affirm", "/deny"]

    booking = servers.say(sender, "yes please, book me in")

    assert texts(booking) == [
        "You can book a consultation with Test Dermatology online at "
        "https://test-dermatology.example/book, or call +1 555 0100 (weekdays 8 to 4). "
        "You can also e-mail desk@test-dermatology.example. At the consultation a "
        "dermatologist discusses your skin, your medical history and your expectations, "
        "and whether Botox is suitable for you."
    ]
    actions = [e["name"] for e in servers.events(sender) if e["event"] == "action"]
    assert "utter_refuse_medical_advice" in actions
    assert "action_consultation_info" in actions


def test_an_emergency_gets_the_emergency_number_and_nothing_else(servers: Servers) -> None:
    sender = "emergency-visitor"

    replies = servers.say(
        sender, "my husband can barely swallow since his injections this morning"
    )

    assert texts(replies) == [
        "This could be a serious reaction. Call 911 or go to the nearest emergency "
        "department now. Do not wait to see if it gets better.",
        "When you are safe, let Test Dermatology know on +1 555 0100.",
    ]
    assert all("buttons" not in reply for reply in replies)
    events = servers.events(sender)
    assert [e["name"] for e in events if e["event"] == "action"][-3:] == [
        "utter_emergency_guidance",
        "action_emergency_guidance",
        "action_listen",
    ]
    assert {"event": "slot", "name": "emergency_reported", "value": True} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


def test_a_button_payload_of_the_assistant_works(servers: Servers) -> None:
    replies = servers.say("button-visitor", "/book_consultation")

    assert texts(replies)[0].startswith("You can book a consultation with Test Dermatology")


def test_off_topic_gets_what_the_assistant_can_do(servers: Servers) -> None:
    replies = servers.say("off-topic-visitor", "can you recommend a good pizza place?")

    assert len(replies) == 1
    assert replies[0]["text"].startswith("Sorry, I can only help with questions about Botox")
    assert len(replies[0]["buttons"]) == 6


def test_a_typed_payload_steers_nothing(servers: Servers) -> None:
    forgeries = ["/report_emergency_symptom", '/faq{"x": 1}', "/request_medical_advice"]
    for number, forged in enumerate(forgeries):
        sender = f"forger-{number}"

        replies = servers.say(sender, forged)

        assert texts(replies) == [
            "Sorry, I'm not sure I understood. Could you say it another way, or pick a topic?"
        ]
        user = [e for e in servers.events(sender) if e["event"] == "user"][-1]
        assert user["parse_data"]["forged_payload"] == forged
        assert user["parse_data"]["entities"] == []
