"""A visitor's words, and who they are (phone number, e-mail address), never reach the
servers' logs at their INFO level: a conversation is named there by its sender tag
(stores/sender_tag.py)."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from typing import Callable, Dict

import pytest

from tests.support.channel_clients import TWILIO, WHATSAPP
from tests.support.messaging import sent
from tests.support.platform_stub import PlatformStub, Recorded
from tests.support.servers import SENDER_TAG_KEY, Servers

pytestmark = pytest.mark.integration

PHRASE = "quokka-zebra-4711"


def test_visitors_words_are_not_logged(servers: Servers) -> None:
    for text in (
        f"my neighbour {PHRASE} asked: does botox hurt?",
        f"I'm pregnant with {PHRASE}, can I have botox?",
        f"{PHRASE} " * 400,  # over-long: answered by the channel
        f"/faq{{'{PHRASE}': 1}}",
    ):
        assert servers.say("privacy-1", text)
    stored = [e["text"] for e in servers.events("privacy-1") if e["event"] == "user"]
    assert any(PHRASE in text for text in stored)  # the words are kept, in the tracker store
    for log in servers.folder.glob("*.log"):
        assert PHRASE not in log.read_text(errors="replace"), log.name


# Who wrote: sender ids (phone numbers, e-mail addresses) in the logs.

MARK = "wallaby-7393"
#: A REST caller that uses the visitor's e-mail address as the sender id.
EMAIL = "ana.lopez.7393@example.com"
SMS = "+15550177001"
TWILIO_WHATSAPP = "whatsapp:+15550177002"
#: A number Twilio cannot text: the stand-in answers as Twilio does, naming it.
UNREACHABLE = "+15550177003"
WA_CLOUD = "15550177004"
#: What none of the logs may hold: each sender's number or address, and the texts' mark.
PERSONAL = ["5550177001", "5550177002", "5550177003", "5550177004", "ana.lopez", MARK]
TOO_LONG = f"{MARK} " * 300
EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE_PATTERN = re.compile(r"\+\d{8,15}")


def tag(sender_id: str) -> str:
    """The sender's tag in the test servers' logs: HMAC-SHA256 with their key, 12 hex."""
    digest = hmac.new(SENDER_TAG_KEY.encode(), sender_id.encode(), hashlib.sha256)
    return digest.hexdigest()[:12]


def twilio_to(number: str) -> Callable[[Recorded], bool]:
    return lambda r: r.path.endswith("/Messages.json") and r.form().get("To") == number


def logs(servers: Servers) -> Dict[str, str]:
    return {log.name: log.read_text(errors="replace") for log in servers.folder.glob("*.log")}


def wait_for_log(servers: Servers, text: str, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not any(text in log for log in logs(servers).values()):
        assert time.monotonic() < deadline, f"no log line with {text!r}"
        time.sleep(0.2)


def test_no_phone_number_email_or_message_text_reaches_the_logs(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    platform_stub.refuse(
        twilio_to(UNREACHABLE),
        400,
        {
            "code": 21211,
            "message": f"The 'To' number {UNREACHABLE} is not a valid phone number.",
            "more_info": "https://www.twilio.com/docs/errors/21211",
            "status": 400,
        },
    )
    # REST: a question, an over-long message and an empty one (both not passed on).
    for text in (f"does botox hurt? {MARK}", TOO_LONG, "   "):
        assert servers.say(EMAIL, text)
    # Twilio (SMS and WhatsApp) and WhatsApp's Cloud API, the same.
    for sender, text in [
        (SMS, f"how long do results last? {MARK}"),
        (SMS, TOO_LONG),
        (TWILIO_WHATSAPP, f"hello {MARK}"),
        (UNREACHABLE, f"hello {MARK}"),
    ]:
        assert TWILIO.deliver(servers, TWILIO.text(sender, text)).status_code == 200
    for text in (f"does botox hurt? {MARK}", TOO_LONG):
        assert WHATSAPP.deliver(servers, WHATSAPP.text(WA_CLOUD, text)).status_code == 200
    sent(platform_stub, twilio_to(SMS), count=2)
    sent(platform_stub, twilio_to(TWILIO_WHATSAPP))
    sent(platform_stub, twilio_to(UNREACHABLE))
    sent(platform_stub, WHATSAPP.is_reply_to(WA_CLOUD), count=2)
    # The reply Twilio refused is logged as an error (once the refusal is read).
    wait_for_log(servers, "answered HTTP 400")

    found = logs(servers)

    assert "INFO" in found["rasa.log"]  # the servers log at INFO
    for name, text in found.items():
        for personal in PERSONAL:
            assert personal not in text, f"{personal!r} in {name}"
        assert EMAIL_PATTERN.findall(text) == [], name
        assert PHONE_PATTERN.findall(text) == [], name
    # The lines about these conversations name them by their tags.
    for sender in (EMAIL, f"twilio:{SMS}", f"whatsapp:{WA_CLOUD}"):
        assert tag(sender) in found["rasa.log"], sender
