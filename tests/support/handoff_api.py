"""A running Rasa server seen by the live handoff's tests: its handoff routes as the staff
app calls them, and Rasa's own conversation API, through which a test puts a conversation
in the state the contract's ``action_request_handoff`` (Part 1 of issue 17) leaves it in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

import requests

from tests.support.servers import Servers

#: Seconds a test waits for what the server does on its own (a turn stored, a timeout).
WAIT_SECONDS = 60.0


@dataclass
class HandoffServer:
    """The servers of the test, with the token of Rasa's API and of the handoff routes."""

    servers: Servers
    token: str

    @property
    def rasa_url(self) -> str:
        return self.servers.rasa_url

    def route(
        self, name: str, body: Any, token: Optional[str] = None, method: str = "POST"
    ) -> requests.Response:
        """Call ``/webhooks/handoff/<name>`` as the staff app does."""
        headers = {"Authorization": f"Bearer {token if token is not None else self.token}"}
        return requests.request(
            method,
            f"{self.rasa_url}/webhooks/handoff/{name}",
            json=body,
            headers=headers,
            timeout=60,
        )

    def append(self, sender_id: str, events: List[Dict[str, Any]]) -> None:
        """Append events to a conversation with Rasa's API (``tracker/events``)."""
        reply = requests.post(
            # Sanic does not decode the id in the path: it goes as it is (":" and "+" are
            # allowed there).
            f"{self.rasa_url}/conversations/{sender_id}/tracker/events",
            params={"token": self.token},
            json=events,
            timeout=60,
        )
        reply.raise_for_status()

    def ask_for_a_person(self, sender_id: str, requested_at: Optional[float] = None) -> None:
        """What the contract's ``action_request_handoff`` leaves: the slots and the pause."""
        at = time.time() if requested_at is None else requested_at
        self.append(
            sender_id,
            [
                {"event": "slot", "name": "handoff", "value": "waiting"},
                {"event": "slot", "name": "handoff_requested_at", "value": at},
                {"event": "pause"},
            ],
        )

    def events(self, sender_id: str) -> List[Dict[str, Any]]:
        """The conversation's stored events."""
        return self.servers.events(sender_id)

    def wait_for_events(
        self, sender_id: str, done: Callable[[List[Dict[str, Any]]], bool]
    ) -> List[Dict[str, Any]]:
        """The stored events once ``done`` says so (or at the end of the wait)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            events = self.events(sender_id)
            if done(events) or time.monotonic() > deadline:
                return events
            time.sleep(0.2)


def paused(events: List[Dict[str, Any]]) -> bool:
    """Whether the conversation of ``events`` is paused (its latest pause or resume)."""
    marks = [e["event"] for e in events if e["event"] in ("pause", "resume")]
    return bool(marks) and marks[-1] == "pause"
