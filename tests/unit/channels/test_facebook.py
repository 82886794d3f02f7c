"""Messenger: Meta's signature and verification, the Page webhook, the Send API replies."""

from __future__ import annotations

from typing import Dict

import pytest

from channels.buttons import Button
from channels.facebook import MessengerInput, MessengerOutput, parse_messenger
from channels.meta_webhook import check_hub_signature
from channels.payload import MissingSignatureError, WrongSignatureError
from tests.support.channel_requests import (
    Rasa,
    RecordingAPI,
    make_request,
    post,
    with_recording_api,
)
from tests.support.platform_payloads import (
    body_of,
    messenger_delivery,
    messenger_echo,
    messenger_postback,
    messenger_quick_reply,
    messenger_read,
    messenger_text,
    meta_signature,
)

SETTINGS = {"verify_token": "verify-me", "app_secret": "app-secret", "page_access_token": "EAAG"}


def channel() -> MessengerInput:
    return MessengerInput(SETTINGS)


def test_a_body_signed_with_the_app_secret_is_accepted() -> None:
    body = body_of(messenger_text("psid-1", "hello"))

    check_hub_signature("app-secret", body, meta_signature("app-secret", body))


def test_a_body_signed_with_another_secret_is_refused() -> None:
    body = body_of(messenger_text("psid-1", "hello"))

    with pytest.raises(WrongSignatureError):
        check_hub_signature("app-secret", body, meta_signature("guessed", body))


def test_a_signature_of_another_body_is_refused() -> None:
    body = body_of(messenger_text("psid-1", "hello"))

    with pytest.raises(WrongSignatureError):
        check_hub_signature("app-secret", body + b" ", meta_signature("app-secret", body))


@pytest.mark.parametrize("header", [None, "", "sha1=0123456789abcdef"])
def test_a_missing_or_sha1_only_signature_is_refused(header: str | None) -> None:
    expected = MissingSignatureError if not header else WrongSignatureError

    with pytest.raises(expected):
        check_hub_signature("app-secret", b"{}", header)


@pytest.mark.parametrize(
    ("query", "status", "answer"),
    [
        (
            "hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444",
            200,
            b"1158201444",
        ),
        ("hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1158201444", 403, None),
        ("hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1", 403, None),
        ("hub.mode=subscribe&hub.challenge=1158201444", 403, None),
    ],
)
async def test_metas_get_verification(query: str, status: int, answer: bytes | None) -> None:
    reply = await channel().handle(
        make_request("GET", f"/webhooks/facebook/webhook?{query}"), Rasa()
    )

    assert reply.status == status
    if answer is not None:
        assert reply.body == answer


def test_a_text_message_is_read_from_its_sender() -> None:
    output = MessengerOutput(RecordingAPI(), "EAAG")

    [message] = parse_messenger(messenger_text("6789012345", "How long do results last?"), output)

    assert (message.sender_id, message.text, message.is_payload) == (
        "6789012345",
        "How long do results last?",
        False,
    )


def test_a_quick_reply_and_a_postback_send_their_payload() -> None:
    output = MessengerOutput(RecordingAPI(), "EAAG")
    payloads = [
        messenger_quick_reply("1", "Scar types", "What types of acne scars are there?"),
        messenger_postback("1", "Book", "/book_consultation"),
    ]

    found = [parse_messenger(payload, output)[0] for payload in payloads]

    assert [(m.text, m.is_payload) for m in found] == [
        ("What types of acne scars are there?", True),
        ("/book_consultation", True),
    ]


@pytest.mark.parametrize(
    "payload",
    [messenger_echo("1", "Hello"), messenger_delivery("1"), messenger_read("1")],
    ids=["echo", "delivery", "read"],
)
def test_echoes_deliveries_and_reads_are_ignored(payload: Dict) -> None:
    assert parse_messenger(payload, MessengerOutput(RecordingAPI(), "EAAG")) == []


def test_another_object_than_a_page_is_ignored() -> None:
    payload = {**messenger_text("1", "hi"), "object": "instagram"}

    assert parse_messenger(payload, MessengerOutput(RecordingAPI(), "EAAG")) == []


async def test_a_signed_message_reaches_rasa_from_the_facebook_channel() -> None:
    hook, rasa = channel(), Rasa()
    with_recording_api(hook)
    body = body_of(messenger_text("6789012345", "hello"))

    answer = await post(
        hook, body, {"X-Hub-Signature-256": meta_signature("app-secret", body)}, rasa
    )

    assert answer.status == 200
    assert [(m.sender_id, m.text, m.input_channel) for m in rasa.messages] == [
        ("facebook:6789012345", "hello", "facebook")
    ]
    assert isinstance(rasa.messages[0].output_channel, MessengerOutput)


async def test_buttons_are_quick_replies_with_the_page_token() -> None:
    api = RecordingAPI()
    buttons = [Button("Scar types", "What types of acne scars are there?")]

    await MessengerOutput(api, "EAAG").send("6789012345", "Pick one.", buttons)

    assert api.posted == [
        {
            "path": "/me/messages",
            "params": {"access_token": "EAAG"},
            "data": None,
            "json": {
                "recipient": {"id": "6789012345"},
                "messaging_type": "RESPONSE",
                "message": {
                    "text": "Pick one.",
                    "quick_replies": [
                        {
                            "content_type": "text",
                            "title": "Scar types",
                            "payload": "What types of acne scars are there?",
                        }
                    ],
                },
            },
        }
    ]


@pytest.mark.parametrize(
    "buttons",
    [
        [Button("Yes, book a consultation", "/affirm")],  # 24 characters
        [Button(f"Topic {n}", f"payload {n}") for n in range(14)],
    ],
    ids=["title over 20", "more than 13"],
)
async def test_beyond_messengers_limits_buttons_are_a_numbered_list(buttons: list) -> None:
    api = RecordingAPI()

    await MessengerOutput(api, "EAAG").send("1", "Pick one.", buttons)

    message = api.posted[0]["json"]["message"]
    assert "quick_replies" not in message
    assert message["text"].startswith(f"Pick one.\n\n1. {buttons[0].title}\n")
    assert message["text"].endswith("Reply with a number.")
