"""The REST channel (channels/rest.py) without a server; through the running server:
tests/integration/channels/test_rest.py."""

from __future__ import annotations

import json
from typing import Awaitable, Callable, Optional, cast

import pytest
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

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


# Metadata: only the allowlisted keys, bounded (channels/metadata.py).


def test_the_metadata_passed_on_keeps_only_allowlisted_bounded_keys() -> None:
    channel = ClinicRestInput()
    body = {
        "sender": "v-1",
        "message": "hi",
        "metadata": {"language": "en-GB", "page": "x" * 100_000, "nested": {"a": ["x" * 1000]}},
    }
    request = make_request("POST", "/webhooks/rest/webhook", json.dumps(body).encode())

    assert channel.get_metadata(request) == {"language": "en-GB"}


@pytest.mark.parametrize(
    "metadata",
    [None, "x" * 100_000, ["en"], {"page": "/prices"}],
    ids=["null", "a 100 KB string", "a list", "an unknown key"],
)
def test_metadata_with_nothing_allowlisted_passes_nothing(metadata: object) -> None:
    body = {"sender": "v-1", "message": "hi", "metadata": metadata}
    request = make_request("POST", "/webhooks/rest/webhook", json.dumps(body).encode())

    assert ClinicRestInput().get_metadata(request) == {}


# Rate limits: per sender and per client address (channels/rate_limits.py).


def limited_channel(monkeypatch: pytest.MonkeyPatch, sender: int, address: int) -> ClinicRestInput:
    monkeypatch.setenv("SENDER_MESSAGES_PER_MINUTE", str(sender))
    monkeypatch.setenv("ADDRESS_MESSAGES_PER_MINUTE", str(address))
    return ClinicRestInput()


def rest_request(sender: object, peer: str = "198.51.100.1", body: bytes | None = None) -> Request:
    data = body if body is not None else json.dumps({"sender": sender, "message": "hi"}).encode()
    return make_request("POST", "/webhooks/rest/webhook", data, peer=peer)


async def test_a_sender_over_its_limit_gets_429_with_retry_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    channel = limited_channel(monkeypatch, sender=3, address=100)

    passed = [await channel.refuse_too_fast(rest_request("v-1")) for _ in range(3)]
    refused = await channel.refuse_too_fast(rest_request("v-1"))
    other = await channel.refuse_too_fast(rest_request("v-2"))

    assert passed == [None, None, None] and other is None
    assert refused is not None and refused.status == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.content_type == "application/json"
    assert json.loads(refused.body or b"") == {
        "error": "Too many messages. Please wait "
        f"{refused.headers['Retry-After']} seconds before sending another."
    }


async def test_an_address_over_its_limit_gets_429_whoever_the_sender(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    channel = limited_channel(monkeypatch, sender=100, address=4)

    # Every request to the webhook counts against the address, a malformed one too.
    passed = [
        await channel.refuse_too_fast(rest_request(f"v-{n}", peer="198.51.100.7"))
        for n in range(3)
    ]
    passed.append(await channel.refuse_too_fast(rest_request(None, "198.51.100.7", b"{bad")))
    refused = await channel.refuse_too_fast(rest_request("v-9", peer="198.51.100.7"))
    elsewhere = await channel.refuse_too_fast(rest_request("v-9", peer="198.51.100.8"))

    assert passed == [None] * 4 and elsewhere is None
    assert refused is not None and refused.status == 429
    assert "Retry-After" in refused.headers


async def test_a_limit_of_zero_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    channel = limited_channel(monkeypatch, sender=0, address=0)
    assert [await channel.refuse_too_fast(rest_request("v-1")) for _ in range(200)] == [None] * 200


async def test_the_rest_blueprint_checks_the_limits_before_its_webhook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    channel = limited_channel(monkeypatch, sender=1, address=100)

    async def on_new_message(_: object) -> None:
        return None

    blueprint = channel.blueprint(on_new_message)
    [middleware] = blueprint._future_middleware
    assert middleware.attach_to == "request"
    check = cast(Callable[[Request], Awaitable[Optional[HTTPResponse]]], middleware.middleware)
    assert await check(rest_request("v-1")) is None
    refused = await check(rest_request("v-1"))
    assert refused is not None and refused.status == 429
