"""Telegram through the running Rasa server (replies go to ``platform_stub``)."""

from __future__ import annotations

from typing import Callable, Dict

import pytest

from tests.support.messaging import (
    GREETING,
    RESULTS_ANSWER,
    RESULTS_QUESTION,
    SCAR_TYPES_ANSWER,
    assert_nothing_reached_the_assistant,
    deliver,
    sent,
    user_texts,
)
from tests.support.platform_payloads import body_of, telegram_message
from tests.support.platform_stub import PlatformStub, Recorded
from tests.support.servers import CHANNEL_SECRETS, Servers

pytestmark = pytest.mark.integration

SEND_MESSAGE = f"/bot{CHANNEL_SECRETS['TELEGRAM_BOT_TOKEN']}/sendMessage"


def to(chat_id: int) -> Callable[[Recorded], bool]:
    return lambda r: r.path == SEND_MESSAGE and r.json()["chat_id"] == chat_id


def with_secret(token: str = CHANNEL_SECRETS["TELEGRAM_SECRET_TOKEN"]) -> Dict[str, str]:
    return {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": token}


def test_a_message_with_the_secret_token_gets_its_answer(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    chat_id = 5550001
    body = body_of(telegram_message(chat_id, RESULTS_QUESTION))

    answer = deliver(servers, "telegram", body, with_secret())

    assert answer.status_code == 200
    [reply] = sent(platform_stub, to(chat_id))
    message = reply.json()
    assert message["text"].startswith(RESULTS_ANSWER)
    keyboard = message["reply_markup"]
    assert [row[0]["text"] for row in keyboard["keyboard"]] == [
        "What results to expect",
        "Combining treatments",
        "Book a consultation",
    ]
    assert keyboard["one_time_keyboard"] and keyboard["resize_keyboard"]
    assert user_texts(servers, f"telegram:{chat_id}") == [RESULTS_QUESTION]


def test_start_greets_and_typing_a_buttons_title_picks_it(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    chat_id = 5550002
    start = body_of(telegram_message(chat_id, "/start"))
    deliver(servers, "telegram", start, with_secret())
    [greeting] = sent(platform_stub, to(chat_id))

    title = body_of(telegram_message(chat_id, "scar types"))
    deliver(servers, "telegram", title, with_secret())

    assert greeting.json()["text"].startswith(GREETING)
    keys = [row[0]["text"] for row in greeting.json()["reply_markup"]["keyboard"]]
    assert keys[:2] == ["What Botox does", "Scar types"]
    replies = sent(platform_stub, to(chat_id), count=2)
    assert replies[1].json()["text"].startswith(SCAR_TYPES_ANSWER)
    assert user_texts(servers, f"telegram:{chat_id}", count=2) == [
        "Hello",
        "What types of acne scars are there?",
    ]


def test_a_wrong_or_missing_secret_token_is_refused_and_reaches_nothing(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    chat_id = 5550003
    body = body_of(telegram_message(chat_id, RESULTS_QUESTION))

    forged = deliver(servers, "telegram", body, with_secret("guessed-token"))
    missing = deliver(servers, "telegram", body, {"Content-Type": "application/json"})

    assert (forged.status_code, missing.status_code) == (403, 401)
    assert_nothing_reached_the_assistant(
        servers, platform_stub, f"telegram:{chat_id}", to(chat_id)
    )
