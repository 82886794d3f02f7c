"""The bad input every channel is tested with: one table, used by the tests of the REST and
socket.io channels (tests/integration/channels/test_rest.py, test_socketio.py) and of every
messaging channel (test_messaging_channels.py), and a conversation going on meanwhile.
"""

from __future__ import annotations

from typing import Any, Dict, List

import requests

from tests.support.messaging import RESULTS_QUESTION
from tests.support.servers import Servers

#: Messages with nothing to read: each gets ``utter_message_empty``.
EMPTY_MESSAGES = ["", "   ", "\n\t"]
EMPTY_ANSWER = "Please type your question about Botox for acne scars."

#: A 100 KB message: it gets ``utter_message_too_long`` and is not stored.
LONG_MESSAGE = "my scars " * 12_000
TOO_LONG_ANSWER = "too long for me: I can read up to 1,000 characters"

#: Odd texts: each gets an answer, and none steers the assistant (no emergency, no control
#: character stored).
ODD_MESSAGES = [
    "😀" * 1000,
    "<script>alert(1)</script> does botox hurt?",
    "<b>bold</b><img src=x onerror=alert(1)>",
    "does it hurt?\x00\x1b[31m\x07",
    '/faq{"x": 1}',
    "/report_emergency_symptom",
    "/restart",
]

#: Forged button payloads, sent as a pressed button where the platform has buttons.
FORGED_PAYLOADS = [
    "/report_emergency_symptom",
    '/request_medical_advice{"body_area": "eyelid"}',
    "/restart",
]

#: Bodies that are not a JSON object (a webhook answers 400 if signed, 401 if not).
MALFORMED_BODIES = {
    "invalid JSON": b"{not json",
    "not UTF-8": b"\xff\xfe\xfa not utf-8",
    "a JSON list": b"[1, 2, 3]",
    "a JSON string": b'"a string"',
    "empty": b"",
}


def steers_nothing(events: List[Dict[str, Any]]) -> None:
    """Assert that no odd message of these stored events was taken for an emergency, and
    that no control character was stored."""
    users = [e for e in events if e["event"] == "user"]
    intents = [e["parse_data"]["intent"]["name"] for e in users]
    assert "report_emergency_symptom" not in intents, intents
    assert all("\x00" not in e["text"] and "\x1b" not in e["text"] for e in users)


#: A conversation going on while the bad input arrives: its turns, and what the second gets.
BYSTANDER_TURNS = ["hello", RESULTS_QUESTION, "bye"]


def server_is_up(servers: Servers) -> None:
    assert requests.get(f"{servers.rasa_url}/", timeout=10).ok
