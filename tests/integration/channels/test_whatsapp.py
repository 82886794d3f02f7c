"""WhatsApp Cloud API through the running Rasa server (replies go to ``platform_stub``)."""

from __future__ import annotations

from typing import Callable, Dict

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
    meta_signature,
    whatsapp_list_reply,
    whatsapp_text,
)
from tests.support.platform_stub import PlatformStub, Recorded
from tests.support.servers import CHANNEL_SECRETS, Servers

pytestmark = pytest.mark.integration

NUMBER_ID = CHANNEL_SECRETS["WHATSAPP_PHONE_NUMBER_ID"]
APP_SECRET = CHANNEL_SECRETS["WHATSAPP_APP_SECRET"]


def to(wa_id: str) -> Callable[[Recorded], bool]:
    return lambda r: r.path == f"/{NUMBER_ID}/messages" and r.json()["to"] == wa_id


def signed(body: bytes, secret: str = APP_SECRET) -> Dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": meta_signature(secret, body),
    }


def test_a_signed_question_gets_its_answer_with_a_list_of_next_steps(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    wa_id = "16505550001"
    body = body_of(whatsapp_text(NUMBER_ID, wa_id, RESULTS_QUESTION))

    answer = deliver(servers, "whatsapp", body, signed(body))

    assert answer.status_code == 200
    [reply] = sent(platform_stub, to(wa_id))
    assert reply.headers["authorization"] == f"Bearer {CHANNEL_SECRETS['WHATSAPP_ACCESS_TOKEN']}"
    message = reply.json()
    assert message["messaging_product"] == "whatsapp"
    assert message["type"] == "interactive"
    # "What results to expect" is too long for a reply button (20): a list (24).
    interactive = message["interactive"]
    assert interactive["type"] == "list"
    assert interactive["body"]["text"].startswith(RESULTS_ANSWER)
    rows = interactive["action"]["sections"][0]["rows"]
    assert {"id": "/book_consultation", "title": "Book a consultation"} in rows
    assert user_texts(servers, f"whatsapp:{wa_id}") == [RESULTS_QUESTION]


def test_a_chosen_row_of_the_greetings_list_sends_its_payload(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    wa_id = "16505550002"
    hello = body_of(whatsapp_text(NUMBER_ID, wa_id, "hi"))
    deliver(servers, "whatsapp", hello, signed(hello))
    [greeting] = sent(platform_stub, to(wa_id))
    rows = greeting.json()["interactive"]["action"]["sections"][0]["rows"]
    row = next(r for r in rows if r["title"] == "Scar types")

    choice = body_of(whatsapp_list_reply(NUMBER_ID, wa_id, row["id"], row["title"]))
    deliver(servers, "whatsapp", choice, signed(choice))

    assert greeting.json()["interactive"]["body"]["text"].startswith(GREETING)
    replies = sent(platform_stub, to(wa_id), count=2)
    assert replies[1].json()["interactive"]["body"]["text"].startswith(SCAR_TYPES_ANSWER)
    assert user_texts(servers, f"whatsapp:{wa_id}", count=2) == [
        "hi",
        "What types of acne scars are there?",
    ]


def test_a_forged_or_missing_signature_is_refused_and_reaches_nothing(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    wa_id = "16505550003"
    body = body_of(whatsapp_text(NUMBER_ID, wa_id, RESULTS_QUESTION))

    forged = deliver(servers, "whatsapp", body, signed(body, secret="guess"))
    missing = deliver(servers, "whatsapp", body, {"Content-Type": "application/json"})

    assert (forged.status_code, missing.status_code) == (403, 401)
    assert_nothing_reached_the_assistant(servers, platform_stub, f"whatsapp:{wa_id}", to(wa_id))


def test_metas_verification_answers_the_challenge_only_to_the_right_token(
    servers: Servers,
) -> None:
    query = {"hub.mode": "subscribe", "hub.challenge": "987654321"}
    token = CHANNEL_SECRETS["WHATSAPP_VERIFY_TOKEN"]

    right = requests.get(
        webhook(servers, "whatsapp"), params={**query, "hub.verify_token": token}, timeout=10
    )
    wrong = requests.get(
        webhook(servers, "whatsapp"),
        params={**query, "hub.verify_token": CHANNEL_SECRETS["FACEBOOK_VERIFY_TOKEN"]},
        timeout=10,
    )

    assert (right.status_code, right.text) == (200, "987654321")
    assert wrong.status_code == 403
