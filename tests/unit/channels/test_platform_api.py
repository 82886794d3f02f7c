"""A platform's outgoing API (channels/platform_api.py): what is logged when it refuses."""

from __future__ import annotations

import logging
from typing import Iterator

import pytest

from channels.platform_api import PlatformAPI
from tests.support.platform_stub import PlatformStub

NUMBER = "+15550177003"
TEXT = "my neighbour Ana asked about her scars"


@pytest.fixture
def stub() -> Iterator[PlatformStub]:
    running = PlatformStub().start()
    yield running
    running.stop()


async def test_a_refusal_is_logged_without_the_recipient_or_the_text_the_platform_echoes(
    stub: PlatformStub, caplog: pytest.LogCaptureFixture
) -> None:
    stub.refuse(
        lambda r: True,
        400,
        {
            "code": 21211,
            "message": f"The 'To' number {NUMBER} is not a valid phone number.",
            "body": TEXT,
        },
    )
    api = PlatformAPI("twilio", stub.url, secrets=["tok-123"])

    try:
        with caplog.at_level(logging.INFO, logger="channels.platform_api"):
            answer = await api.post(
                "/Accounts/AC1/Messages.json",
                data={"From": "+15557654321", "To": NUMBER, "Body": TEXT},
            )
    finally:
        await api.close()

    assert answer is None
    assert NUMBER not in caplog.text and TEXT not in caplog.text
    [record] = caplog.records
    assert record.levelname == "ERROR"
    assert record.getMessage().startswith(
        "twilio API: /Accounts/AC1/Messages.json answered HTTP 400: "
        '{"code": 21211, "message": "The \'To\' number [hidden] is not a valid phone number."'
    )


async def test_the_payloads_own_words_stay_readable_in_the_log(
    stub: PlatformStub, caplog: pytest.LogCaptureFixture
) -> None:
    stub.refuse(lambda r: True, 400, {"error": {"message": "(#100) Param text must be set"}})
    api = PlatformAPI("whatsapp", stub.url)
    payload = {"messaging_product": "whatsapp", "to": "15550177004", "type": "text"}

    try:
        await api.post("/1098765432/messages", json={**payload, "text": {"body": TEXT}})
    finally:
        await api.close()

    assert "(#100) Param text must be set" in caplog.text
    assert "15550177004" not in caplog.text and TEXT not in caplog.text
