"""The REST channel (channels/rest.py) without a server; through the running server:
tests/integration/channels/test_rest.py."""

from __future__ import annotations

import pytest
from sanic.exceptions import InvalidUsage

from channels.rest import ClinicRestInput
from tests.support.channel_requests import make_request


async def test_the_rest_channel_refuses_another_channels_prefix_with_the_reason() -> None:
    channel = ClinicRestInput()
    good = make_request("POST", "/webhooks/rest/webhook", b'{"sender": "v-1", "message": "hi"}')
    forged = make_request(
        "POST", "/webhooks/rest/webhook", b'{"sender": "telegram:42", "message": "hi"}'
    )

    assert await channel._extract_sender(good) == "v-1"
    with pytest.raises(InvalidUsage, match="only the telegram channel"):
        await channel._extract_sender(forged)
