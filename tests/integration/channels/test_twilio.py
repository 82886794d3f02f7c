"""Twilio SMS through the running Rasa server (replies go to ``platform_stub``).

The test server's ``TWILIO_WEBHOOK_URL`` is a public https address while the test reaches
it at 127.0.0.1 over http, as behind a proxy: the signature is checked against that URL,
whatever ``X-Forwarded-Proto`` and ``X-Forwarded-Host`` say.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Callable, Dict
from urllib.parse import urlencode

import pytest

from launcher import processes
from launcher.local_servers import servers_environment
from launcher.roles import rasa_command
from tests.support.messaging import (
    FORGED,
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
from tests.support.servers import CHANNEL_SECRETS, Servers, trained_model

pytestmark = pytest.mark.integration

SID = CHANNEL_SECRETS["TWILIO_ACCOUNT_SID"]
TOKEN = CHANNEL_SECRETS["TWILIO_AUTH_TOKEN"]
CLINIC_NUMBER = "+15557654321"
PUBLIC_URL = CHANNEL_SECRETS["TWILIO_WEBHOOK_URL"]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def to(number: str) -> Callable[[Recorded], bool]:
    return lambda r: r.path.endswith("/Messages.json") and r.form().get("To") == number


def sms(servers: Servers, sender: str, text: str, token: str = TOKEN) -> Dict[str, object]:
    """Post an SMS as Twilio does, signed for the public URL; status and answer."""
    params = twilio_form(sender, CLINIC_NUMBER, text)
    headers = {**FORM, "X-Twilio-Signature": twilio_signature(token, PUBLIC_URL, params)}
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
    missing = deliver(servers, "twilio", body, FORM)
    misdirected = deliver(servers, "twilio", body, {**FORM, "X-Twilio-Signature": other_url})

    assert (forged["status"], missing.status_code, misdirected.status_code) == (403, 401, 403)
    assert_nothing_reached_the_assistant(servers, platform_stub, f"twilio:{sender}", to(sender))


def test_a_message_signed_for_the_public_https_url_is_answered_though_the_proxy_says_http(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    # Behind the clinic's TLS terminator, the shipped nginx said X-Forwarded-Proto: http.
    sender = "+15550100004"
    params = twilio_form(sender, CLINIC_NUMBER, RESULTS_QUESTION)
    headers = {
        **FORM,
        "X-Forwarded-Proto": "http",
        "X-Forwarded-Host": "clinic.example",
        "X-Twilio-Signature": twilio_signature(TOKEN, PUBLIC_URL, params),
    }

    answer = deliver(servers, "twilio", urlencode(params).encode(), headers)

    assert answer.status_code == 200
    [reply] = sent(platform_stub, to(sender))
    assert reply.form()["Body"].startswith(RESULTS_ANSWER)


@pytest.mark.parametrize(
    ("sender", "forwarded"),
    [
        ("+15550100005", {"X-Forwarded-Proto": "http", "X-Forwarded-Host": "attacker.example"}),
        ("+15550100006", {"X-Forwarded-Host": "attacker.example"}),
    ],
    ids=["host and scheme", "host"],
)
def test_a_signature_of_a_url_the_caller_names_in_forwarded_headers_is_refused(
    servers: Servers, platform_stub: PlatformStub, sender: str, forwarded: Dict[str, str]
) -> None:
    # A signature Twilio made for another address of the account (another app's webhook),
    # sent here with forwarded headers naming that address.
    params = twilio_form(sender, CLINIC_NUMBER, FORGED)
    scheme = forwarded.get("X-Forwarded-Proto", "http")  # as the server is reached
    elsewhere = f"{scheme}://{forwarded['X-Forwarded-Host']}/webhooks/twilio/webhook"
    signature = twilio_signature(TOKEN, elsewhere, params)
    headers = {**FORM, **forwarded, "X-Twilio-Signature": signature}

    answer = deliver(servers, "twilio", urlencode(params).encode(), headers)

    assert answer.status_code == 403
    assert_nothing_reached_the_assistant(servers, platform_stub, f"twilio:{sender}", to(sender))


def test_the_server_refuses_to_start_with_twilio_on_and_no_webhook_url(tmp_path: Path) -> None:
    actions, port, web = (processes.free_port() for _ in range(3))
    without_url = {**CHANNEL_SECRETS, "TWILIO_WEBHOOK_URL": ""}
    env = servers_environment(tmp_path, actions, port, web, without_url)
    log = tmp_path / "rasa.log"
    command = rasa_command(trained_model(), "127.0.0.1", port)

    with (
        processes.process(command, env, log) as child,
        pytest.raises(processes.ServerError, match="exited"),
    ):
        processes.wait_until_up(f"http://127.0.0.1:{port}/", child, log)

    assert "TWILIO_WEBHOOK_URL is empty" in log.read_text(errors="replace")
