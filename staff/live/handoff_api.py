"""The client of the Rasa server's live-chat routes (issue 17, Part 2:
``channels/handoff.py``, ``POST /webhooks/handoff/take|message|resume``).

The staff app never writes to the tracker store and never calls a messaging platform: a
staff member's take, message and hand-back go to the Rasa server, which stores them in the
conversation (under its lock) and sends them through the visitor's own channel. Each call
carries ``Authorization: Bearer <RASA_API_TOKEN>`` and goes to the first server of
``RASA_URL`` that can be reached (they share the tracker store and the locks, so any of
them will do).

A server that cannot be connected to is skipped; one that was reached but did not answer in
time is not (it may have sent the message): the call says so, and staff look before they
send again.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, Dict, Sequence

import aiohttp

#: The routes' prefix on the Rasa server.
PREFIX = "/webhooks/handoff"
#: How long a call may take.
TIMEOUT_SECONDS = 10.0
#: The longest message a staff member may send (the route's own limit).
MAX_MESSAGE = 2000


class HandoffUnreachableError(Exception):
    """No Rasa server of ``RASA_URL`` could be reached, or the one reached did not answer
    in time (:attr:`maybe_done`: it may have done it)."""

    def __init__(self, message: str, maybe_done: bool = False) -> None:
        super().__init__(message)
        self.maybe_done = maybe_done


@dataclass(frozen=True)
class HandoffAnswer:
    """What a route answered: its HTTP status and JSON body."""

    status: int
    body: Dict[str, Any] = field(default_factory=dict)
    url: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def staff(self) -> str:
        """Who has the conversation, when the route says (a 409's ``staff``)."""
        return str(self.body.get("staff") or "")

    @property
    def error(self) -> str:
        return str(self.body.get("error") or "")


class HandoffApi:
    """The live-chat routes of each Rasa server of the assistant.

    Args:
        urls: each Rasa server (:attr:`staff.settings.StaffSettings.rasa_urls`).
        token: ``RASA_API_TOKEN`` ("" for none: the routes are off without it).
        timeout: how long one call may take, in seconds.
    """

    def __init__(self, urls: Sequence[str], token: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self.urls = tuple(urls)
        self.token = token
        self.timeout = timeout

    @property
    def configured(self) -> bool:
        """Whether the staff app has a token to call the routes with."""
        return bool(self.token and self.urls)

    async def take(self, sender: str, staff: str, shown_as: str = "") -> HandoffAnswer:
        """Take ``sender``'s conversation for ``staff`` (the visitor is told ``shown_as``
        joined, if given): 200, 409 (someone else has it: ``staff``) or 404 (not waiting)."""
        body = {"sender_id": sender, "staff": staff}
        return await self._post("take", {**body, "shown_as": shown_as} if shown_as else body)

    async def message(self, sender: str, staff: str, text: str) -> HandoffAnswer:
        """Send ``text`` to the visitor: 200, 409 (not taken by ``staff``) or 400."""
        return await self._post("message", {"sender_id": sender, "staff": staff, "text": text})

    async def resume(self, sender: str, staff: str) -> HandoffAnswer:
        """Hand the conversation back to the assistant: 200 or 409."""
        return await self._post("resume", {"sender_id": sender, "staff": staff})

    async def _post(self, route: str, body: Dict[str, Any]) -> HandoffAnswer:
        """POST ``body`` to ``route`` on the first server that can be reached.

        Raises:
            HandoffUnreachableError: none could be reached, or the one reached did not answer.
        """
        if not self.configured:
            raise HandoffUnreachableError(
                "The staff app has no RASA_API_TOKEN, so it cannot reach the assistant's "
                "live chat."
            )
        headers = {"Authorization": f"Bearer {self.token}"}
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        tried = []
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for url in self.urls:
                try:
                    address = f"{url}{PREFIX}/{route}"
                    async with session.post(address, json=body, headers=headers) as reply:
                        text = await reply.text()
                        return HandoffAnswer(reply.status, _json(text), url)
                except aiohttp.ClientConnectorError:
                    tried.append(url)
                except (asyncio.TimeoutError, aiohttp.ClientError) as error:
                    raise HandoffUnreachableError(
                        f"The assistant at {url} did not answer in time ({type(error).__name__}).",
                        maybe_done=True,
                    ) from None
        raise HandoffUnreachableError(
            "The assistant could not be reached (nothing answers at " + ", ".join(tried) + ")."
        )


def _json(text: str) -> Dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
