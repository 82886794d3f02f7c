"""Sender ids namespaced per messaging channel (channels/senders.py)."""

from __future__ import annotations

import re

import pytest
from rasa.core.channels.channel import UserMessage

from channels import facebook, slack, telegram, twilio, whatsapp
from channels.senders import (
    MESSAGING_CHANNELS,
    conversation_id,
    platform_id,
    reserved_prefix,
    sender_problem,
)
from channels.webhook import WebhookInput
from tests.support.channel_requests import RecordingAPI
from tests.support.project import ROOT


def test_the_messaging_channels_are_those_of_credentials_yml() -> None:
    inputs = [
        facebook.MessengerInput,
        slack.SlackInput,
        telegram.TelegramInput,
        twilio.TwilioInput,
        whatsapp.WhatsAppInput,
    ]
    assert all(issubclass(cls, WebhookInput) for cls in inputs)
    assert sorted(cls.name() for cls in inputs) == sorted(MESSAGING_CHANNELS)
    credentials = (ROOT / "credentials.yml").read_text()
    modules = re.findall(r"^channels\.(\w+)\.\w+Input:", credentials, flags=re.M)
    # The handoff routes (staff, not visitors) keep no conversation of their own.
    assert sorted(set(modules) - {"rest", "socketio", "handoff"}) == sorted(MESSAGING_CHANNELS)


def test_a_conversation_id_is_the_channel_and_the_platforms_id() -> None:
    assert conversation_id("telegram", "123456") == "telegram:123456"
    assert platform_id("telegram", "telegram:123456") == "123456"
    # Twilio's WhatsApp senders keep their own prefix inside Twilio's namespace.
    assert conversation_id("twilio", "whatsapp:+1555") == "twilio:whatsapp:+1555"
    assert platform_id("twilio", "twilio:whatsapp:+1555") == "whatsapp:+1555"
    # An id kept before the namespaces (or another channel's) is left as it is.
    assert platform_id("telegram", "123456") == "123456"
    assert platform_id("twilio", "whatsapp:+1555") == "whatsapp:+1555"


@pytest.mark.parametrize(
    ("sender", "channel"),
    [
        ("telegram:123", "telegram"),
        ("Telegram:123", "telegram"),
        ("WHATSAPP:+1555", "whatsapp"),
        ("twilio:whatsapp:+1555", "twilio"),
        ("facebook:1", "facebook"),
        ("slack:U1", "slack"),
        ("visitor-1", None),
        ("user@clinic.example", None),
        ("site:visitor-1", None),
        ("telegram", None),
    ],
)
def test_a_messaging_channels_prefix_is_reserved(sender: str, channel: str | None) -> None:
    assert reserved_prefix(sender) == channel
    assert (sender_problem(sender) is None) == (channel is None)


@pytest.mark.parametrize("sender", [None, 12, "", "a b", "x" * 129, "a<script>", ["a"]])
def test_a_malformed_sender_is_a_problem(sender: object) -> None:
    assert "1 to 128 letters" in (sender_problem(sender) or "")


async def test_a_webhook_hands_rasa_the_namespaced_id_and_replies_to_the_platforms_id() -> None:
    api = RecordingAPI("telegram")
    output = telegram.TelegramOutput(api, "1:abc")
    message = UserMessage("hi", output, conversation_id("telegram", "42"))

    await message.output_channel.send_text_message(message.sender_id, "Hello")
    await output.send_text_with_buttons(
        "telegram:42", "Pick", [{"title": "A", "payload": "/affirm"}]
    )

    assert [p["json"]["chat_id"] for p in api.posted] == [42, 42]
