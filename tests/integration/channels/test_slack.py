"""Slack through the running Rasa server (replies go to ``platform_stub``)."""

from __future__ import annotations

import time
from typing import Callable

import pytest

from tests.support.messaging import (
    QUIET_SECONDS,
    RESULTS_ANSWER,
    RESULTS_QUESTION,
    SCAR_TYPES_ANSWER,
    assert_nothing_reached_the_assistant,
    deliver,
    sent,
    user_texts,
)
from tests.support.platform_payloads import body_of, slack_block_actions, slack_dm, slack_headers
from tests.support.platform_stub import PlatformStub, Recorded
from tests.support.servers import CHANNEL_SECRETS, Servers

pytestmark = pytest.mark.integration

SECRET = CHANNEL_SECRETS["SLACK_SIGNING_SECRET"]
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def to(channel: str) -> Callable[[Recorded], bool]:
    return lambda r: r.path.endswith("/chat.postMessage") and r.json()["channel"] == channel


def test_a_signed_message_in_a_thread_gets_its_answer_in_the_thread(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    user, channel, thread = "U0SLACKRESULTS", "D0SLACKRESULTS", "1700000000.000200"
    body = body_of(slack_dm(user, RESULTS_QUESTION, channel, thread_ts=thread))

    answer = deliver(servers, "slack", body, {**slack_headers(SECRET, body), **JSON})

    assert answer.status_code == 200
    [reply] = sent(platform_stub, to(channel))
    assert reply.headers["authorization"] == f"Bearer {CHANNEL_SECRETS['SLACK_BOT_TOKEN']}"
    message = reply.json()
    assert message["thread_ts"] == thread
    assert message["text"].startswith(RESULTS_ANSWER)
    section, actions = message["blocks"]
    assert section["text"]["text"] == message["text"]
    buttons = {e["text"]["text"]: e["value"] for e in actions["elements"]}
    assert buttons["Book a consultation"] == "/book_consultation"
    assert user_texts(servers, f"slack:{user}") == [RESULTS_QUESTION]


def test_a_click_on_a_button_sends_its_value(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    user, channel = "U0SLACKCLICK", "D0SLACKCLICK"
    body = slack_block_actions(user, channel, "Scar types", "What types of acne scars are there?")

    answer = deliver(servers, "slack", body, {**slack_headers(SECRET, body), **FORM})

    assert answer.status_code == 200
    [reply] = sent(platform_stub, to(channel))
    assert reply.json()["text"].startswith(SCAR_TYPES_ANSWER)
    assert "thread_ts" not in reply.json()
    assert user_texts(servers, f"slack:{user}") == ["What types of acne scars are there?"]


def test_a_forged_missing_or_replayed_signature_is_refused_and_reaches_nothing(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    user, channel = "U0SLACKFORGER", "D0SLACKFORGER"
    body = body_of(slack_dm(user, RESULTS_QUESTION, channel))
    replayed = slack_headers(SECRET, body, timestamp=int(time.time()) - 6 * 60)

    forged = deliver(servers, "slack", body, {**slack_headers("guess", body), **JSON})
    missing = deliver(servers, "slack", body, JSON)
    old = deliver(servers, "slack", body, {**replayed, **JSON})

    assert (forged.status_code, missing.status_code, old.status_code) == (403, 401, 403)
    assert_nothing_reached_the_assistant(servers, platform_stub, f"slack:{user}", to(channel))


def test_the_url_check_is_answered_after_the_signature(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    check = body_of(
        {"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595", "type": "url_verification"}
    )

    challenge = deliver(servers, "slack", check, {**slack_headers(SECRET, check), **JSON})

    assert (challenge.status_code, challenge.json()) == (
        200,
        {"challenge": "3eZbrw1aBm2rZgRNFdxV2595"},
    )


def test_a_retry_of_a_delivery_that_failed_is_answered_once(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    """The first delivery got a 502 from a proxy in front of the server (it never arrived):
    Slack's first retry is answered, its second is acknowledged and not answered again."""
    user, channel = f"U0RETRY{time.time_ns()}", f"D0RETRY{time.time_ns()}"
    body = body_of(slack_dm(user, RESULTS_QUESTION, channel))

    def retry(number: int) -> int:
        headers = {**slack_headers(SECRET, body), "X-Slack-Retry-Num": str(number), **JSON}
        return deliver(servers, "slack", body, headers).status_code

    first = retry(1)
    # The replies are sent before the turn is stored.
    assert user_texts(servers, f"slack:{user}") == [RESULTS_QUESTION]
    answered = platform_stub.requests("/chat.postMessage")
    answered = [r for r in answered if to(channel)(r)]
    second = retry(2)
    time.sleep(QUIET_SECONDS)

    assert (first, second) == (200, 200)
    assert answered and answered[0].json()["text"].startswith(RESULTS_ANSWER)
    assert [r for r in platform_stub.requests() if to(channel)(r)] == answered
    assert user_texts(servers, f"slack:{user}") == [RESULTS_QUESTION]
