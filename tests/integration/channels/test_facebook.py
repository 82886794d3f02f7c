"""Facebook Messenger through the running Rasa server (replies go to ``platform_stub``)."""

from __future__ import annotations

from typing import Callable

import pytest
import requests

from tests.support.messaging import (
    GREETING,
    RESULTS_ANSWER,
    RESULTS_QUESTION,
    SCAR_TYPES_ANSWER,
    assert_nothing_reached_the_assistant,
    deliver,
    sent,
    user_texts,
    webhook,
)
from tests.support.platform_payloads import (
    body_of,
    messenger_quick_reply,
    messenger_text,
    meta_signature,
)
from tests.support.platform_stub import PlatformStub, Recorded
from tests.support.servers import CHANNEL_SECRETS, Servers

pytestmark = pytest.mark.integration

APP_SECRET = CHANNEL_SECRETS["FACEBOOK_APP_SECRET"]


def to(psid: str) -> Callable[[Recorded], bool]:
    return lambda r: r.path.endswith("/me/messages") and r.json()["recipient"]["id"] == psid


def signed(body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": meta_signature(APP_SECRET, body),
    }


def test_a_signed_question_gets_its_answer_through_the_send_api(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    psid = "fb-results-6789012345"
    body = body_of(messenger_text(psid, RESULTS_QUESTION))

    answer = deliver(servers, "facebook", body, signed(body))

    assert answer.status_code == 200
    [reply] = sent(platform_stub, to(psid))
    assert reply.method == "POST"
    assert reply.query["access_token"] == [CHANNEL_SECRETS["FACEBOOK_PAGE_ACCESS_TOKEN"]]
    message = reply.json()["message"]
    assert message["text"].startswith(RESULTS_ANSWER)
    # "What results to expect" is longer than a quick reply's 20 characters: a list.
    assert "\n\n1. What results to expect\n" in message["text"]
    assert "quick_replies" not in message
    assert user_texts(servers, f"facebook:{psid}") == [RESULTS_QUESTION]


def test_the_greetings_topics_are_quick_replies_and_a_press_sends_the_payload(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    psid = "fb-topics-6789012346"
    hello = body_of(messenger_text(psid, "hi"))
    deliver(servers, "facebook", hello, signed(hello))
    [greeting] = sent(platform_stub, to(psid))
    quick_replies = greeting.json()["message"]["quick_replies"]
    scar_types = next(q for q in quick_replies if q["title"] == "Scar types")

    press = body_of(messenger_quick_reply(psid, "Scar types", scar_types["payload"]))
    deliver(servers, "facebook", press, signed(press))

    assert greeting.json()["message"]["text"].startswith(GREETING)
    assert [q["title"] for q in quick_replies][:2] == ["What Botox does", "Scar types"]
    replies = sent(platform_stub, to(psid), count=2)
    assert replies[1].json()["message"]["text"].startswith(SCAR_TYPES_ANSWER)


def test_a_forged_or_missing_signature_is_refused_and_reaches_nothing(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    psid = "fb-forger-6789012347"
    body = body_of(messenger_text(psid, RESULTS_QUESTION))
    forged = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": meta_signature("guess", body),
    }

    assert deliver(servers, "facebook", body, forged).status_code == 403
    assert (
        deliver(servers, "facebook", body, {"Content-Type": "application/json"}).status_code == 401
    )
    assert_nothing_reached_the_assistant(servers, platform_stub, f"facebook:{psid}", to(psid))


def test_metas_verification_answers_the_challenge_only_to_the_right_token(
    servers: Servers,
) -> None:
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
    token = CHANNEL_SECRETS["FACEBOOK_VERIFY_TOKEN"]

    right = requests.get(
        webhook(servers, "facebook"), params={**query, "hub.verify_token": token}, timeout=10
    )
    wrong = requests.get(
        webhook(servers, "facebook"), params={**query, "hub.verify_token": "guess"}, timeout=10
    )

    assert (right.status_code, right.text) == (200, "1158201444")
    assert wrong.status_code == 403
    assert "1158201444" not in wrong.text
