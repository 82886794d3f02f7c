"""Twilio: the X-Twilio-Signature of URL and form, the URL behind a proxy, SMS replies."""

from __future__ import annotations

from typing import Dict, List
from urllib.parse import urlencode

import pytest

from channels.buttons import Button
from channels.payload import BadPayloadError, MissingSignatureError, WrongSignatureError
from channels.twilio import (
    TwilioInput,
    TwilioOutput,
    check_twilio_signature,
    parse_twilio,
    public_url,
    twilio_signature,
)
from tests.support.channel_requests import Rasa, RecordingAPI, make_request, post
from tests.support.platform_payloads import twilio_form
from tests.support.platform_payloads import twilio_signature as twilios_own_signature

TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
# Twilio's documented example: these parameters POSTed to URL, with the auth token 12345.
DOCUMENTED = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}


def as_form(params: Dict[str, str]) -> Dict[str, List[str]]:
    return {key: [value] for key, value in params.items()}


def test_the_signature_is_twilios_documented_example() -> None:
    assert twilio_signature(TOKEN, URL, as_form(DOCUMENTED)) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_the_signature_is_the_one_twilios_library_computes() -> None:
    params = twilio_form("+15551230000", "+15557654321", "How long do results last?")
    url = "https://clinic.example/webhooks/twilio/webhook"

    assert twilio_signature(TOKEN, url, as_form(params)) == twilios_own_signature(
        TOKEN, url, params
    )


def test_a_correct_signature_is_accepted_with_or_without_the_default_port() -> None:
    params = as_form(DOCUMENTED)
    signature = twilio_signature(TOKEN, URL, params)

    check_twilio_signature(TOKEN, URL, params, signature)
    check_twilio_signature(
        TOKEN, "https://mycompany.com:443/myapp.php?foo=1&bar=2", params, signature
    )


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("https://mycompany.com/myapp.php?foo=1&bar=3", DOCUMENTED),
        (URL, {**DOCUMENTED, "Digits": "1235"}),
    ],
    ids=["another URL", "another parameter"],
)
def test_a_signature_of_another_url_or_form_is_refused(url: str, params: Dict[str, str]) -> None:
    signature = twilio_signature(TOKEN, URL, as_form(DOCUMENTED))

    with pytest.raises(WrongSignatureError):
        check_twilio_signature(TOKEN, url, as_form(params), signature)


def test_a_missing_signature_is_refused() -> None:
    with pytest.raises(MissingSignatureError):
        check_twilio_signature(TOKEN, URL, as_form(DOCUMENTED), None)


def test_the_url_is_the_one_the_proxy_received() -> None:
    request = make_request(
        "POST",
        "/webhooks/twilio/webhook?x=1",
        headers={
            "Host": "127.0.0.1:5005",
            "X-Forwarded-Proto": "https, http",
            "X-Forwarded-Host": "clinic.example",
        },
    )

    assert public_url(request) == "https://clinic.example/webhooks/twilio/webhook?x=1"


def test_without_a_proxy_the_url_is_the_requests_own() -> None:
    request = make_request("POST", "/webhooks/twilio/webhook", headers={"Host": "10.0.0.5:5005"})

    assert public_url(request) == "http://10.0.0.5:5005/webhooks/twilio/webhook"


def test_an_sms_is_read_from_its_sender_and_answered_from_the_number_it_was_sent_to() -> None:
    form = as_form(twilio_form("+15551230000", "+15557654321", "does it hurt?"))

    [message] = parse_twilio(form, RecordingAPI(), "AC1")

    assert (message.sender_id, message.text) == ("+15551230000", "does it hurt?")
    assert isinstance(message.output, TwilioOutput)
    assert message.output.from_number == "+15557654321"


def test_whatsapp_through_twilio_keeps_its_prefix() -> None:
    form = as_form(twilio_form("whatsapp:+15551230000", "whatsapp:+14155238886", "hi"))

    [message] = parse_twilio(form, RecordingAPI(), "AC1")

    assert message.sender_id == "whatsapp:+15551230000"
    assert isinstance(message.output, TwilioOutput)
    assert message.output.from_number == "whatsapp:+14155238886"


def test_a_media_message_without_text_is_ignored_and_a_form_without_from_is_bad() -> None:
    media = {**twilio_form("+1555", "+1666", ""), "NumMedia": "1"}

    assert parse_twilio(as_form(media), RecordingAPI(), "AC1") == []
    with pytest.raises(BadPayloadError):
        parse_twilio({"Body": ["hi"]}, RecordingAPI(), "AC1")


async def test_the_configured_webhook_url_is_what_is_signed() -> None:
    public = "https://clinic.example/webhooks/twilio/webhook"
    hook = TwilioInput({"account_sid": "AC1", "auth_token": TOKEN, "webhook_url": public})
    params = twilio_form("+15551230000", "+15557654321", "hello")
    body = urlencode(params).encode()
    rasa = Rasa()

    answer = await post(
        hook, body, {"X-Twilio-Signature": twilios_own_signature(TOKEN, public, params)}, rasa
    )
    local = await post(
        hook,
        body,
        {"X-Twilio-Signature": twilios_own_signature(TOKEN, "http://127.0.0.1:5005/x", params)},
        rasa,
    )

    assert answer.status == 200
    assert answer.content_type == "text/xml"
    assert answer.body == b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
    assert local.status == 403
    assert [(m.sender_id, m.text, m.input_channel) for m in rasa.messages] == [
        ("twilio:+15551230000", "hello", "twilio")
    ]


def test_a_webhook_url_that_is_not_a_url_stops_the_server() -> None:
    with pytest.raises(ValueError, match="TWILIO_WEBHOOK_URL"):
        TwilioInput({"account_sid": "AC1", "auth_token": TOKEN, "webhook_url": "clinic.example"})


async def test_buttons_are_a_numbered_list_sent_with_the_rest_api() -> None:
    api = RecordingAPI()
    buttons = [Button("What Botox does", "What is Botox?"), Button("Scar types", "Types?")]

    await TwilioOutput(api, "AC1", "+15557654321").send("+15551230000", "Hello!", buttons)

    assert api.posted == [
        {
            "path": "/2010-04-01/Accounts/AC1/Messages.json",
            "data": {
                "From": "+15557654321",
                "To": "+15551230000",
                "Body": "Hello!\n\n1. What Botox does\n2. Scar types\nReply with a number.",
            },
            "json": None,
            "params": None,
        }
    ]


def test_the_account_sid_and_token_are_the_basic_auth() -> None:
    api = TwilioInput({"account_sid": "AC1", "auth_token": TOKEN}).create_api()

    assert api.auth is not None
    assert (api.auth.login, api.auth.password) == ("AC1", TOKEN)
