"""Twilio SMS through the running Rasa server (replies go to ``platform_stub``).

The test server has no ``TWILIO_WEBHOOK_URL``: the signature is checked against the URL a
proxy in front of it received (``X-Forwarded-Proto``, ``X-Forwarded-Host``), as behind a
tunnel or a load balancer.
"""

from __future__ import annotations

import base64
from typing import Callable, Dict
from urllib.parse import urlencode

import pytest

from tests.support.messaging import (
    RESULTS_ANSWER,
    RESULTS_QUESTION,
    SCAR_TYPES_ANSWER,
    assert_nothing_reached_the_assistant,
    deliver,
    sent,
    user_texts,
)
from tests.support.platform_payloads import twilio_form, twilio_signature
from tests.support.platform_stub import PlatformStub, Recorded
from tests.support.servers import CHANNEL_SECRETS, Servers

pytestmark = pytest.mark.integration

SID = CHANNEL_SECRETS["TWILIO_ACCOUNT_SID"]
TOKEN = CHANNEL_SECRETS["TWILIO_AUTH_TOKEN"]
CLINIC_NUMBER = "+15557654321"
PUBLIC_URL = "https://clinic.example/webhooks/twilio/webhook"
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "clinic.example"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def to(number: str) -> Callable[[Recorded], bool]:
    return lambda r: r.path.endswith("/Messages.json") and r.form().get("To") == number


def sms(servers: Servers, sender: str, text: str, token: str = TOKEN) -> Dict[str, object]:
    """Post an SMS as Twilio does, signed for the public URL; status and answer."""
    params = twilio_form(sender, CLINIC_NUMBER, text)
    headers = {**FORM, **PROXY, "X-Twilio-Signature": twilio_signature(token, PUBLIC_URL, params)}
    answer = deliver(servers, "twilio", urlencode(params).encode(), headers)
    return {
        "status": answer.status_code,
        "type": answer.headers.get("Content-Type"),
        "body": answer.text,
    }


def test_a_signed_sms_gets_its_answer_through_the_rest_api(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    sender = "+15550100001"

    answer = sms(servers, sender, RESULTS_QUESTION)

    assert answer["status"] == 200
    assert str(answer["type"]).startswith("text/xml")
    assert str(answer["body"]).endswith("<Response/>")
    [reply] = sent(platform_stub, to(sender))
    assert reply.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    credentials = base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert reply.headers["authorization"] == f"Basic {credentials}"
    form = reply.form()
    assert form["From"] == CLINIC_NUMBER
    assert form["Body"].startswith(RESULTS_ANSWER)
    assert form["Body"].endswith("3. Book a consultation\nReply with a number.")
    assert user_texts(servers, f"twilio:{sender}") == [RESULTS_QUESTION]


def test_the_greetings_topics_are_a_numbered_list_and_2_picks_scar_types(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    sender = "+15550100002"
    sms(servers, sender, "hi")
    [greeting] = sent(platform_stub, to(sender))

    sms(servers, sender, "2")

    assert "\n\n1. What Botox does\n2. Scar types\n3. The procedure\n" in greeting.form()["Body"]
    replies = sent(platform_stub, to(sender), count=2)
    assert replies[1].form()["Body"].startswith(SCAR_TYPES_ANSWER)
    assert user_texts(servers, f"twilio:{sender}", count=2) == [
        "hi",
        "What types of acne scars are there?",
    ]


def test_a_forged_missing_or_misdirected_signature_is_refused_and_reaches_nothing(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    sender = "+15550100003"
    params = twilio_form(sender, CLINIC_NUMBER, RESULTS_QUESTION)
    body = urlencode(params).encode()
    other_url = twilio_signature(
        TOKEN, "https://elsewhere.example/webhooks/twilio/webhook", params
    )

    forged = sms(servers, sender, RESULTS_QUESTION, token="guessed-token")
    missing = deliver(servers, "twilio", body, {**FORM, **PROXY})
    misdirected = deliver(
        servers, "twilio", body, {**FORM, **PROXY, "X-Twilio-Signature": other_url}
    )

    assert (forged["status"], missing.status_code, misdirected.status_code) == (403, 401, 403)
    assert_nothing_reached_the_assistant(servers, platform_stub, f"twilio:{sender}", to(sender))
