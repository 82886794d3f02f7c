"""Telegram: the secret-token header, updates, reply keyboards of the buttons' titles."""

from __future__ import annotations

import pytest

from channels.buttons import Button
from channels.payload import MissingSignatureError, WrongSignatureError
from channels.telegram import (
    START_GREETING,
    TelegramInput,
    TelegramOutput,
    check_secret_token,
    parse_update,
)
from tests.support.channel_requests import Rasa, RecordingAPI, post
from tests.support.platform_payloads import body_of, telegram_callback_query, telegram_message

TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"


def output(api: RecordingAPI | None = None) -> TelegramOutput:
    return TelegramOutput(api or RecordingAPI(), TOKEN)


def test_the_secret_token_is_accepted() -> None:
    check_secret_token("s3cr3t_T0ken-1", "s3cr3t_T0ken-1")


def test_another_token_is_refused() -> None:
    with pytest.raises(WrongSignatureError):
        check_secret_token("s3cr3t_T0ken-1", "s3cr3t_T0ken-2")


@pytest.mark.parametrize("header", [None, ""])
def test_a_missing_token_is_refused(header: str | None) -> None:
    with pytest.raises(MissingSignatureError):
        check_secret_token("s3cr3t_T0ken-1", header)


def test_a_text_message_is_read_from_its_chat() -> None:
    [message] = parse_update(telegram_message(111222333, "How long do results last?"), output())

    assert (message.sender_id, message.text, message.is_payload) == (
        "111222333",
        "How long do results last?",
        False,
    )


@pytest.mark.parametrize("start", ["/start", "/start@ClinicBot", "/start campaign-42"])
def test_start_is_a_greeting(start: str) -> None:
    [message] = parse_update(telegram_message(1, start), output())

    assert message.text == START_GREETING


async def test_a_pressed_inline_key_sends_its_data_and_is_answered() -> None:
    api = RecordingAPI()

    [message] = parse_update(telegram_callback_query(111222333, "/book_consultation"), output(api))
    assert message.before is not None
    await message.before()

    assert (message.sender_id, message.text, message.is_payload) == (
        "111222333",
        "/book_consultation",
        True,
    )
    assert api.posted == [
        {
            "path": f"/bot{TOKEN}/answerCallbackQuery",
            "json": {"callback_query_id": "4382bfdwdsb323b2d9"},
            "data": None,
            "params": None,
        }
    ]


def test_edits_photos_and_bots_are_ignored() -> None:
    edited = {"update_id": 1, "edited_message": telegram_message(1, "hi")["message"]}
    photo = telegram_message(1, "x")
    del photo["message"]["text"]
    photo["message"]["photo"] = [{"file_id": "AgAD", "width": 90, "height": 90}]
    from_bot = telegram_message(1, "hi")
    from_bot["message"]["from"]["is_bot"] = True

    assert [parse_update(update, output()) for update in (edited, photo, from_bot)] == [[], [], []]


async def test_a_message_with_the_secret_token_reaches_rasa() -> None:
    hook = TelegramInput({"bot_token": TOKEN, "secret_token": "s3cr3t"})
    rasa = Rasa()
    body = body_of(telegram_message(42, "does it hurt?"))

    answer = await post(hook, body, {"X-Telegram-Bot-Api-Secret-Token": "s3cr3t"}, rasa)
    forged = await post(hook, body, {"X-Telegram-Bot-Api-Secret-Token": "guess"}, rasa)
    missing = await post(hook, body, {}, rasa)

    assert (answer.status, forged.status, missing.status) == (200, 403, 401)
    assert [(m.sender_id, m.text, m.input_channel) for m in rasa.messages] == [
        ("telegram:42", "does it hurt?", "telegram")
    ]


async def test_buttons_are_a_one_time_keyboard_of_their_titles() -> None:
    api = RecordingAPI()
    buttons = [Button("Scar types", "What types of acne scars are there?"), Button("Risks", "r")]

    await output(api).send("111222333", "Pick one.", buttons)

    assert api.posted[0]["path"] == f"/bot{TOKEN}/sendMessage"
    assert api.posted[0]["json"] == {
        "chat_id": 111222333,
        "text": "Pick one.",
        "reply_markup": {
            "keyboard": [[{"text": "Scar types"}], [{"text": "Risks"}]],
            "one_time_keyboard": True,
            "resize_keyboard": True,
        },
    }


async def test_a_text_without_buttons_has_no_keyboard() -> None:
    api = RecordingAPI()

    await output(api).send("-1001234", "Hello")

    assert api.posted[0]["json"] == {"chat_id": -1001234, "text": "Hello"}
