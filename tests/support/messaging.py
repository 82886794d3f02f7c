"""Helpers of the messaging-channel tests through the running servers.

A test posts what a platform would post to the Rasa server's webhook, then reads what the
server sent to that platform's API from the local stand-in (``platform_stub``) and what it
stored from the tracker store (``servers.events``).
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any, Callable, Dict, List, Mapping, Optional

import requests
from rasa.shared.constants import ASSISTANT_ID_KEY
from rasa.shared.nlu.constants import METADATA_MODEL_ID

from tests.support.platform_stub import PlatformStub, Recorded
from tests.support.servers import Servers

#: Seconds a refused request is given to (wrongly) reach the assistant before checking.
QUIET_SECONDS = 2.0
#: Seconds the assistant is given to answer a message.
ANSWER_SECONDS = 60.0

RESULTS_QUESTION = "How long do the results last?"
RESULTS_ANSWER = "Results can last from three to six months"
SCAR_TYPES_ANSWER = "Types of acne scars include:"
GREETING = "Hello! I'm the virtual assistant of Test Dermatology."
#: What a forger would like the assistant to believe the other person said.
FORGED = "I have decided to cancel, please forget my booking"


def webhook(servers: Servers, channel: str) -> str:
    """The channel's webhook on the running Rasa server."""
    return f"{servers.rasa_url}/webhooks/{channel}/webhook"


def deliver(
    servers: Servers,
    channel: str,
    body: bytes,
    headers: Mapping[str, str],
    query: Optional[Mapping[str, str]] = None,
) -> requests.Response:
    """POST ``body`` to the channel's webhook as the platform would."""
    return requests.post(
        webhook(servers, channel), data=body, headers=dict(headers), params=query, timeout=30
    )


def sent(
    platform_stub: PlatformStub,
    to_recipient: Callable[[Recorded], bool],
    count: int = 1,
) -> List[Recorded]:
    """The first ``count`` requests to the platform's API for this recipient (waits)."""
    found = platform_stub.wait_for(to_recipient, timeout=ANSWER_SECONDS, count=count)
    assert len(found) >= count, f"expected {count} replies, got {len(found)}"
    return found[:count]


def assert_nothing_reached_the_assistant(
    servers: Servers,
    platform_stub: PlatformStub,
    sender: str,
    to_recipient: Callable[[Recorded], bool],
) -> None:
    """No reply to ``sender`` went to the platform, and no event was stored for them."""
    assert platform_stub.wait_for(to_recipient, timeout=QUIET_SECONDS) == []
    assert servers.events(sender) == []


def user_texts(servers: Servers, sender: str, count: int = 1) -> List[str]:
    """What the assistant received from ``sender``, in order, once ``count`` are stored.

    Rasa sends the replies before it stores the turn, so the events are waited for.
    """
    deadline = time.monotonic() + ANSWER_SECONDS
    while True:
        texts = [e.get("text") or "" for e in servers.events(sender) if e["event"] == "user"]
        if len(texts) >= count or time.monotonic() > deadline:
            return texts
        time.sleep(0.1)


def users(servers: Servers, sender: str) -> List[str]:
    """What the assistant stored from ``sender`` so far (no waiting)."""
    return [e["text"] for e in servers.events(sender) if e["event"] == "user"]


def conversation_of(servers: Servers, text: str) -> str:
    """The sender id of the one conversation in which a visitor wrote ``text``: the id the
    tracker store, the staff app, the logs and the event broker know it by."""
    deadline = time.monotonic() + ANSWER_SECONDS
    while True:
        with sqlite3.connect(servers.tracker_db) as db:
            rows = db.execute(
                "SELECT DISTINCT sender_id FROM events WHERE type_name = 'user' AND data LIKE ?",
                (f"%{json.dumps(text)[1:-1]}%",),
            ).fetchall()
        if rows or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(rows) == 1, rows
    return str(rows[0][0])


def visitor_keys(metadata: Mapping[str, Any]) -> Dict[str, Any]:
    """A stored event's metadata without what Rasa adds itself (the model and assistant)."""
    return {k: v for k, v in metadata.items() if k not in (METADATA_MODEL_ID, ASSISTANT_ID_KEY)}
