"""Twilio: the X-Twilio-Signature of URL and form, the URL behind a proxy, SMS replies."""

from __future__ import annotations

from typing import Dict, List
from urllib.parse import urlencode

import pytest
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.buttons import Button
from channels.payload import BadPayloadError, MissingSignatureError, WrongSignatureError
from channels.twilio import (
    TwilioInput,
    TwilioOutput,
    check_twilio_signature,
    parse_twilio,
    twilio_signature,
)
from tests.support.channel_requests import Rasa, RecordingAPI, post
from tests.support.platform_payloads import twilio_form
from tests.support.platform_payloads import twilio_signature as twilios_own_signature

TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PUBLIC = "https://clinic.example/webhooks/twilio/webhook"
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


def configured(**settings: str) -> TwilioInput:
    """The channel with its SID, token and public webhook URL (``settings`` on top)."""
    return TwilioInput(
        {"account_sid": "AC1", "auth_token": TOKEN, "webhook_url": PUBLIC, **settings}
    )


async def sms_signed_for(url: str, headers: Dict[str, str], rasa: Rasa) -> int:
    """Status of an SMS posted to the webhook, signed for ``url``, with ``headers``."""
    params = twilio_form("+15551230000", "+15557654321", "hello")
    signature = {"X-Twilio-Signature": twilios_own_signature(TOKEN, url, params)}
    answer = await post(
        configured(),
        urlencode(params).encode(),
        {**headers, **signature},
        rasa,
        path="/webhooks/twilio/webhook",
    )
    return answer.status


async def test_a_message_signed_for_the_public_url_is_accepted_whatever_the_proxy_says() -> None:
    rasa = Rasa()
    behind_tls = {"Host": "rasa1:5005", "X-Forwarded-Proto": "http"}

    assert await sms_signed_for(PUBLIC, behind_tls, rasa) == 200
    assert await sms_signed_for(PUBLIC, {"Host": "10.0.0.5:5005"}, rasa) == 200
    assert [m.sender_id for m in rasa.messages] == ["twilio:+15551230000"] * 2


@pytest.mark.parametrize(
    "forwarded",
    [
        {"X-Forwarded-Proto": "http", "X-Forwarded-Host": "attacker.example"},
        {"X-Forwarded-Host": "attacker.example"},
    ],
    ids=["host and scheme", "host"],
)
async def test_a_signature_of_the_url_forwarded_headers_name_is_refused(
    forwarded: Dict[str, str],
) -> None:
    rasa = Rasa()
    scheme = forwarded.get("X-Forwarded-Proto", "http")
    named = f"{scheme}://attacker.example/webhooks/twilio/webhook"

    assert await sms_signed_for(named, forwarded, rasa) == 403
    assert rasa.messages == []


@pytest.mark.parametrize("url", ["", "   "])
def test_twilio_on_without_its_webhook_url_stops_the_server_naming_the_variable(
    url: str,
) -> None:
    with pytest.raises(ValueError, match="TWILIO_WEBHOOK_URL is empty"):
        TwilioInput({"account_sid": "AC1", "auth_token": TOKEN, "webhook_url": url})


def test_twilio_off_needs_no_webhook_url() -> None:
    assert not TwilioInput({}).enabled
    assert not TwilioInput({"account_sid": "AC1", "webhook_url": ""}).enabled
    assert not TwilioInput({"webhook_url": PUBLIC}).enabled
    assert configured().enabled


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
    # The number written to is kept with the message, for messages sent unasked.
    assert rasa.messages[0].metadata == {"twilio_to": "+15557654321"}


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
    api = configured().create_api()

    assert api.auth is not None
    assert (api.auth.login, api.auth.password) == ("AC1", TOKEN)


# Messages sent unasked (the live handoff's staff messages): from the number written to.


def conversation(*messages: UserUttered) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("twilio:whatsapp:+15551230000", list(messages))


def test_a_message_sent_unasked_comes_from_the_number_the_visitor_last_wrote_to() -> None:
    hook = configured()
    tracker = conversation(
        UserUttered("hi", input_channel="twilio", metadata={"twilio_to": "+15550000001"}),
        UserUttered("hi again", input_channel="twilio", metadata={"twilio_to": "whatsapp:+1444"}),
        UserUttered("EXTERNAL: x", input_channel="twilio", metadata={"is_external": True}),
    )

    output = hook.output_for(tracker)

    assert isinstance(output, TwilioOutput)
    assert (output.from_number, output.account_sid) == ("whatsapp:+1444", "AC1")
    assert hook.get_output_channel() is None  # the number is the conversation's


def test_without_the_number_or_with_the_channel_off_nothing_is_sent_unasked() -> None:
    kept_before = conversation(UserUttered("hi", input_channel="twilio"))
    with_number = conversation(
        UserUttered("hi", input_channel="twilio", metadata={"twilio_to": "+15550000001"})
    )

    assert configured().output_for(kept_before) is None
    assert TwilioInput({}).output_for(with_number) is None
