"""A visitor's conversation through a running Rasa server: messages over the REST channel,
and what the staff app and the handoff's routes do through Rasa's HTTP API (the tracker,
events appended, an external intent triggered)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List

import requests


@dataclass
class ApiConversation:
    """One visitor (``sender``) of the Rasa server at ``url``, whose API has ``token``."""

    url: str
    token: str
    sender: str

    def say(self, message: str) -> List[Dict[str, Any]]:
        """Send ``message`` through the REST channel; the assistant's messages in reply."""
        reply = requests.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": message},
            timeout=60,
        )
        reply.raise_for_status()
        messages: List[Dict[str, Any]] = reply.json()
        return messages

    def texts(self, message: str) -> List[str]:
        """The texts of the assistant's reply to ``message``."""
        return [str(m.get("text", "")) for m in self.say(message)]

    def tracker(self) -> Dict[str, Any]:
        """The conversation's tracker (slots, events, ``paused``, ``active_loop``)."""
        reply = requests.get(
            f"{self.url}/conversations/{self.sender}/tracker",
            params={"token": self.token},
            timeout=30,
        )
        reply.raise_for_status()
        tracker: Dict[str, Any] = reply.json()
        return tracker

    def append(self, events: List[Dict[str, Any]]) -> None:
        """Append ``events`` to the conversation, as the handoff's routes do."""
        reply = requests.post(
            f"{self.url}/conversations/{self.sender}/tracker/events",
            params={"token": self.token},
            json=events,
            timeout=30,
        )
        reply.raise_for_status()

    def trigger(self, intent: str) -> List[str]:
        """Trigger the external ``intent``; the texts the assistant answered with."""
        reply = requests.post(
            f"{self.url}/conversations/{self.sender}/trigger_intent",
            params={"token": self.token},
            json={"name": intent, "entities": {}},
            timeout=60,
        )
        reply.raise_for_status()
        return [str(m.get("text", "")) for m in reply.json().get("messages", [])]
