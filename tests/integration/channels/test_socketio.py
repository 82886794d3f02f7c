"""The website's channel, socket.io, through the real Rasa server: what rasa-webchat does.

The widget connects, asks for a session (``session_request``), gets it confirmed, sends
``user_uttered`` with that session id and receives ``bot_uttered``. With session
persistence the session id is the sender in the tracker store, so a reload that sends the
same id continues the same conversation.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, Dict, List

import pytest
import socketio

from tests.servers import Servers

pytestmark = pytest.mark.integration

TIMEOUT = 60


async def converse(
    servers: Servers, origin: str, session_id: str, messages: List[str]
) -> List[List[Dict[str, Any]]]:
    """Connect as a browser on ``origin`` would; the bot's messages after each message."""
    client = socketio.AsyncClient(reconnection=False)
    received: asyncio.Queue[Dict[str, Any]] = asyncio.Queue()
    confirmed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    client.on("bot_uttered", received.put_nowait)

    def on_session_confirm(session: str) -> None:
        if not confirmed.done():
            confirmed.set_result(session)

    client.on("session_confirm", on_session_confirm)
    # Long-polling: the websocket transport of this python-engineio client needs a newer
    # aiohttp than Rasa 3.6 allows; the origin check is the same for both transports.
    await client.connect(servers.rasa_url, headers={"Origin": origin}, transports=["polling"])
    try:
        await client.emit("session_request", {"session_id": session_id})
        assert await asyncio.wait_for(confirmed, TIMEOUT) == session_id
        replies = []
        for message in messages:
            await client.emit("user_uttered", {"message": message, "session_id": session_id})
            first = await asyncio.wait_for(received.get(), TIMEOUT)
            turn = [first]
            # The rest of this turn's messages follow at once.
            while True:
                try:
                    turn.append(await asyncio.wait_for(received.get(), 2))
                except asyncio.TimeoutError:
                    break
            replies.append(turn)
        return replies
    finally:
        await client.disconnect()


def allowed_origin(servers: Servers) -> str:
    return f"http://localhost:{servers.web_port}"


async def test_the_widgets_origin_gets_answers_and_the_session_is_the_sender(
    servers: Servers,
) -> None:
    session_id = uuid.uuid4().hex
    (greeting,) = await converse(servers, allowed_origin(servers), session_id, ["/greet"])
    assert "not medical advice" in greeting[0]["text"]
    assert [b["title"] for b in greeting[0]["quick_replies"]][-1] == "Book a consultation"

    # A reload: a new connection with the same session id continues the conversation.
    (answer,) = await converse(
        servers, allowed_origin(servers), session_id, ["how long do the results last?"]
    )
    assert "months" in answer[0]["text"]
    users = [e["text"] for e in servers.events(session_id) if e["event"] == "user"]
    assert users == ["/greet", "how long do the results last?"]


async def test_another_website_cannot_connect(servers: Servers) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        await converse(servers, "https://elsewhere.example", uuid.uuid4().hex, ["hello"])
