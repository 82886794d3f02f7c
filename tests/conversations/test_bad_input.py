"""Bad input through the REST channel of the real server: a clear answer or a 4xx, the
server stays up, and other conversations are unaffected. The cases are those of every
channel (``bad_input.py``; the other channels: ``test_bad_input_channels.py``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conversations.bad_input import (
    EMPTY_ANSWER,
    EMPTY_MESSAGES,
    LONG_MESSAGE,
    MALFORMED_BODIES,
    ODD_MESSAGES,
    TOO_LONG_ANSWER,
    steers_nothing,
)
from tests.servers import Servers

pytestmark = pytest.mark.integration

TIMEOUT = 60


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
