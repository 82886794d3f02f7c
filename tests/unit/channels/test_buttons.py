"""Buttons as a numbered list, and a reply that picks one by number or title."""

from __future__ import annotations

import logging
from typing import Any, List

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from channels.buttons import (
    Button,
    buttons_offered_to,
    chosen,
    numbered_list,
    offered_buttons,
    parse_buttons,
    resolve,
)
from stores.sender_tag import sender_tag
from tests.support.channel_requests import agent_with

TOPICS = [
    Button("What Botox does", "What is Botox and how does it work?"),
    Button("Scar types", "What types of acne scars are there?"),
    Button("Book a consultation", "/book_consultation"),
]


def bot(text: str, buttons: Any = None) -> BotUttered:
    return BotUttered(text, data={"buttons": buttons} if buttons is not None else {})


def topic_dicts() -> list[dict[str, str]]:
    return [{"title": b.title, "payload": b.payload} for b in TOPICS]


def test_the_numbered_list_follows_the_text() -> None:
    assert numbered_list("What would you like to know?", TOPICS) == (
        "What would you like to know?\n\n"
        "1. What Botox does\n"
        "2. Scar types\n"
        "3. Book a consultation\n"
        "Reply with a number."
    )


def test_no_buttons_leave_the_text_as_it_is() -> None:
    assert numbered_list("Goodbye.", []) == "Goodbye."


def test_the_domains_buttons_are_read(domain: Domain) -> None:
    greeting = domain.responses["utter_greet"][0]

    buttons = parse_buttons(greeting["buttons"])

    assert [b.title for b in buttons][:2] == ["What Botox does", "Scar types"]
    assert buttons[1].payload == "What types of acne scars are there?"


def test_incomplete_buttons_are_left_out() -> None:
    given: List[Any] = [{"title": "A"}, {"payload": "/x"}, "B", {"title": "C", "payload": "c"}]

    assert parse_buttons(given) == [Button("C", "c")]


@pytest.mark.parametrize("reply", ["2", "2.", " 2 ", "#2", "# 2", "option 2", "Option #2", "2)"])
def test_a_number_picks_that_button(reply: str) -> None:
    assert resolve(reply, TOPICS) == "What types of acne scars are there?"


@pytest.mark.parametrize("reply", ["Scar types", "scar types", "  SCAR   TYPES ", "sCaR tYpEs"])
def test_a_title_picks_that_button(reply: str) -> None:
    assert resolve(reply, TOPICS) == "What types of acne scars are there?"


@pytest.mark.parametrize("reply", ["0", "4", "12", "2 and 3", "scar", "tell me about scar types"])
def test_anything_else_is_passed_on_unchanged(reply: str) -> None:
    assert chosen(reply, TOPICS) is None
    assert resolve(reply, TOPICS) == reply


def test_a_number_when_nothing_was_offered_is_passed_on_unchanged() -> None:
    assert resolve("2", []) == "2"


def test_the_buttons_offered_are_those_of_the_last_bot_message() -> None:
    events = [
        UserUttered("hi"),
        bot("Hello", [{"title": "Old", "payload": "old"}]),
        UserUttered("how long does it last?"),
        ActionExecuted("utter_faq"),
        bot("Results can last ...", topic_dicts()),
        ActionExecuted("action_listen"),
    ]

    assert offered_buttons(events) == TOPICS


def test_a_user_message_after_the_buttons_withdraws_them() -> None:
    events = [bot("Hello", topic_dicts()), UserUttered("what is botox?"), bot("Botox is ...")]

    assert offered_buttons(events) == []


def test_a_later_message_of_the_same_turn_does_not_hide_the_buttons() -> None:
    events = [UserUttered("hi"), bot("Hello", topic_dicts()), bot("One more thing.")]

    assert offered_buttons(events) == TOPICS


def test_quick_replies_count_as_buttons() -> None:
    events = [BotUttered("Pick one", data={"quick_replies": topic_dicts()})]

    assert offered_buttons(events) == TOPICS


async def test_the_offer_is_read_from_the_agents_tracker_store() -> None:
    agent = await agent_with("visitor-1", [UserUttered("hi"), bot("Hello", topic_dicts())])

    assert await buttons_offered_to(agent, "visitor-1") == TOPICS
    assert await buttons_offered_to(agent, "someone-else") == []


async def test_without_an_agent_nothing_is_offered() -> None:
    assert await buttons_offered_to(None, "visitor-1") == []


async def test_a_broken_tracker_store_offers_nothing() -> None:
    class Broken:
        async def retrieve(self, sender_id: str) -> None:
            raise ConnectionError("database gone")

    class Agent:
        tracker_store = Broken()
        lock_store = None

    assert await buttons_offered_to(Agent(), "visitor-1") == []


async def test_a_broken_tracker_store_is_logged_by_the_senders_tag_not_its_error_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken:
        async def retrieve(self, sender_id: str) -> None:
            # As SQLAlchemy's errors do: the statement's parameters in the message.
            raise ConnectionError(f"[SQL: SELECT ...] [parameters: ('{sender_id}',)]")

    class Agent:
        tracker_store = Broken()
        lock_store = None

    with caplog.at_level(logging.INFO, logger="channels.buttons"):
        assert await buttons_offered_to(Agent(), "whatsapp:15550177004") == []

    assert "5550177004" not in caplog.text

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "ERROR",
            f"Could not read the conversation of sender {sender_tag('whatsapp:15550177004')} "
            "to find the buttons it offered: ConnectionError",
        )
    ]
