"""The REST channel through the real running servers.

Conversations prove the whole chain: the trained model, the action server, the clinic
config read by both servers, and the tracker store. Sender ids: a REST caller cannot write
into a messaging channel's conversation (``channels/senders.py``). Bad input: a clear
answer or a 4xx, the server stays up, and other conversations are unaffected; the cases
are those of every channel (``tests/support/bad_input.py``; the other channels:
``test_socketio.py`` and ``test_messaging_channels.py``).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.bad_input import (
    EMPTY_ANSWER,
    EMPTY_MESSAGES,
    LONG_MESSAGE,
    MALFORMED_BODIES,
    ODD_MESSAGES,
    TOO_LONG_ANSWER,
    steers_nothing,
)
from tests.support.channel_clients import PLATFORMS, TELEGRAM, Platform
from tests.support.messaging import (
    FORGED,
    QUIET_SECONDS,
    RESULTS_ANSWER,
    RESULTS_QUESTION,
    user_texts,
    users,
    visitor_keys,
)
from tests.support.platform_stub import PlatformStub
from tests.support.servers import Servers

pytestmark = pytest.mark.integration

TIMEOUT = 60


def texts(messages: List[Dict[str, Any]]) -> List[str]:
    return [m.get("text", "") for m in messages]


def post(servers: Servers, body: Any = None, data: bytes | None = None) -> requests.Response:
    url = f"{servers.rasa_url}/webhooks/rest/webhook"
    if data is not None:
        headers = {"Content-Type": "application/json"}
        return requests.post(url, data=data, headers=headers, timeout=TIMEOUT)
    return requests.post(url, json=body, timeout=TIMEOUT)


def still_answers(servers: Servers) -> None:
    """A normal conversation still gets its answer."""
    replies = servers.say("bystander", "how long do results last?")
    assert replies and "months" in replies[0]["text"]


def rest(servers: Servers, sender: str, message: str) -> requests.Response:
    return requests.post(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": message},
        timeout=60,
    )


# Conversations.


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


# Sender ids: a messaging channel's prefix is refused.


def test_a_rest_call_cannot_touch_a_telegram_users_conversation(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    chat = TELEGRAM.new_id()
    assert TELEGRAM.deliver(servers, TELEGRAM.text(chat, RESULTS_QUESTION)).ok
    assert user_texts(servers, f"telegram:{chat}") == [RESULTS_QUESTION]
    before = servers.events(f"telegram:{chat}")

    refused = [
        rest(servers, sender, FORGED)
        for sender in (f"telegram:{chat}", f"Telegram:{chat}", f"TELEGRAM:{chat}")
    ]
    bare = rest(servers, chat, FORGED)

    assert [r.status_code for r in refused] == [400, 400, 400]
    assert all("only the telegram channel" in r.text for r in refused)
    # The bare chat id is just another REST sender, with a conversation of its own.
    assert bare.status_code == 200
    assert users(servers, chat) == [FORGED]
    assert servers.events(f"telegram:{chat}") == before
    # The Telegram user got their one answer and nothing else.
    more = platform_stub.wait_for(TELEGRAM.is_reply_to(chat), timeout=QUIET_SECONDS, count=2)
    assert len(more) == 1


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
def test_the_rest_channel_refuses_every_messaging_prefix(
    servers: Servers, platform: Platform
) -> None:
    sender = platform.stored_as(platform.new_id())

    reply = rest(servers, sender, "hello")

    assert reply.status_code == 400
    assert f"only the {platform.name} channel" in reply.text
    assert servers.events(sender) == []


# Bad input.


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (MALFORMED_BODIES["invalid JSON"], "JSON"),
        (MALFORMED_BODIES["not UTF-8"], "JSON"),
        (MALFORMED_BODIES["a JSON list"], "object"),
        (MALFORMED_BODIES["a JSON string"], "object"),
        (MALFORMED_BODIES["empty"], "JSON"),
        (b'{"message": "hi"}', "sender"),
        (b'{"sender": "", "message": "hi"}', "sender"),
        (b'{"sender": "a b<script>", "message": "hi"}', "sender"),
        (b'{"sender": 12, "message": "hi"}', "sender"),
        (b'{"sender": "telegram:5550001", "message": "hi"}', "only the telegram channel"),
        (b'{"sender": "x", "message": 12}', "message"),
        (b'{"sender": "x", "message": null}', "message"),
        (b'{"sender": "x"}', "message"),
        (b'{"sender": "x", "message": ["hi"]}', "message"),
    ],
)
def test_a_malformed_request_gets_400_with_the_reason(
    servers: Servers, data: bytes, reason: str
) -> None:
    reply = post(servers, data=data)
    assert reply.status_code == 400
    assert reason in reply.text
    still_answers(servers)


@pytest.mark.parametrize("message", EMPTY_MESSAGES)
def test_an_empty_message_gets_a_polite_answer(servers: Servers, message: str) -> None:
    reply = post(servers, {"sender": "empty-1", "message": message})
    assert reply.status_code == 200
    assert reply.json()[0]["text"] == EMPTY_ANSWER
    assert servers.events("empty-1") == []


def test_a_100_kb_message_gets_a_polite_answer_and_is_not_stored(servers: Servers) -> None:
    reply = post(servers, {"sender": "long-1", "message": LONG_MESSAGE})
    assert reply.status_code == 200
    assert TOO_LONG_ANSWER in reply.json()[0]["text"]
    assert servers.events("long-1") == []
    still_answers(servers)


def test_a_body_above_the_request_limit_gets_413(servers: Servers) -> None:
    body = json.dumps({"sender": "huge-1", "message": "x" * 2_000_000}).encode()
    assert post(servers, data=body).status_code == 413
    still_answers(servers)


@pytest.mark.parametrize("message", ODD_MESSAGES)
def test_odd_text_gets_an_answer_and_steers_nothing(servers: Servers, message: str) -> None:
    sender = f"odd-{abs(hash(message)) % 10**8}"
    reply = post(servers, {"sender": sender, "message": message})
    assert reply.status_code == 200
    texts = [m.get("text", "") for m in reply.json()]
    assert texts and all(texts)
    steers_nothing(servers.events(sender))


def test_the_caller_cannot_choose_another_input_channel(servers: Servers) -> None:
    body = {"sender": "rest-as-twilio", "message": "hello", "input_channel": "twilio"}
    assert post(servers, body).status_code == 200
    users = [e for e in servers.events("rest-as-twilio") if e["event"] == "user"]
    assert users[0]["input_channel"] == "rest"


def test_only_allowlisted_bounded_metadata_is_stored(servers: Servers) -> None:
    sender = "metadata-visitor"
    metadata = {
        "language": "en-GB",
        "page": "x" * 100_000,
        "nested": {"deep": ["y" * 10_000]},
        "model_id": "forged",
    }

    reply = post(servers, {"sender": sender, "message": RESULTS_QUESTION, "metadata": metadata})

    assert reply.status_code == 200
    assert reply.json()[0]["text"].startswith(RESULTS_ANSWER)
    events = servers.events(sender)
    [user] = [e for e in events if e["event"] == "user"]
    assert visitor_keys(user["metadata"]) == {"language": "en-GB"}
    # Nothing else of it anywhere in the conversation (the session start's slot included).
    stored = json.dumps(events)
    assert "x" * 100 not in stored and "y" * 100 not in stored and "forged" not in stored
    assert len(stored) < 20_000


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.one_of(
        st.fixed_dictionaries(
            {"sender": st.from_regex(r"\A[a-z0-9]{1,12}\Z"), "message": st.text(max_size=300)}
        ),
        st.dictionaries(
            st.text(max_size=10),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.text(max_size=50),
                lambda c: (
                    st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3)
                ),
                max_leaves=8,
            ),
            max_size=4,
        ),
        st.lists(st.integers(), max_size=3),
        st.text(max_size=100),
    )
)
def test_random_text_and_json_never_break_the_server(servers: Servers, body: Any) -> None:
    reply = post(servers, body)
    assert reply.status_code in (200, 400), reply.text[:300]
    if reply.status_code == 200:
        assert isinstance(reply.json(), list)


def test_after_all_that_the_server_still_answers(servers: Servers) -> None:
    still_answers(servers)
