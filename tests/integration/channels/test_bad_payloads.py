"""Every messaging webhook with bad bodies, without a server: a signed malformed or wrongly
typed body gets 400, an unsigned one 401, and nothing reaches Rasa; a blank message reaches
it blank (to be answered with ``utter_message_empty``), under the channel's namespace.

The same cases go through the running server in
``tests/conversations/test_bad_input_channels.py``.
"""

from __future__ import annotations

from typing import Dict

import pytest

from channels.facebook import MessengerInput
from channels.slack import SlackInput
from channels.telegram import TelegramInput
from channels.twilio import TwilioInput
from channels.webhook import WebhookInput
from channels.whatsapp import WhatsAppInput
from tests.channels.helpers import Rasa, post, with_recording_api
from tests.conversations.bad_input import EMPTY_MESSAGES, MALFORMED_BODIES
from tests.conversations.channel_clients import JSON, PLATFORMS, Platform
from tests.servers import CHANNEL_SECRETS

pytestmark = pytest.mark.integration

SETTINGS = {key.lower(): value for key, value in CHANNEL_SECRETS.items()}


def webhook_of(platform: Platform) -> WebhookInput:
    """The platform's channel with the test server's secrets."""
    prefix = f"{platform.name}_"
    given: Dict[str, str] = {
        key[len(prefix) :]: value for key, value in SETTINGS.items() if key.startswith(prefix)
    }
    classes = {
        "facebook": MessengerInput,
        "slack": SlackInput,
        "telegram": TelegramInput,
        "twilio": TwilioInput,
        "whatsapp": WhatsAppInput,
    }
    channel = classes[platform.name](given)
    assert channel.enabled
    with_recording_api(channel)
    return channel


def path_of(platform: Platform) -> str:
    return f"/webhooks/{platform.name}/webhook"


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
async def test_bad_bodies_get_400_signed_and_401_unsigned_and_reach_nothing(
    platform: Platform,
) -> None:
    channel, rasa = webhook_of(platform), Rasa()
    cases = {
        **{name: (body, dict(JSON)) for name, body in MALFORMED_BODIES.items()},
        **platform.wrong_types(platform.new_id()),
    }

    statuses = {}
    for name, (body, headers) in cases.items():
        signed = {**headers, **platform.sign(body, platform.secret)}
        unsigned = {"Content-Type": headers["Content-Type"]}
        statuses[name] = (
            (await post(channel, body, signed, rasa, path=path_of(platform))).status,
            (await post(channel, body, unsigned, rasa, path=path_of(platform))).status,
        )

    assert {name: got for name, got in statuses.items() if got != (400, 401)} == {}
    assert rasa.messages == []


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
@pytest.mark.parametrize("message", EMPTY_MESSAGES, ids=repr)
async def test_a_blank_message_reaches_rasa_blank_under_the_channels_namespace(
    platform: Platform, message: str
) -> None:
    channel, rasa = webhook_of(platform), Rasa()
    visitor = platform.new_id()
    body, headers = platform.text(visitor, message)

    answer = await post(channel, body, headers, rasa, path=path_of(platform))

    assert answer.status == 200
    assert [(m.sender_id, m.text.strip()) for m in rasa.messages] == [
        (platform.stored_as(visitor), "")
    ]
