"""The website's channel, socket.io, through the real Rasa server: what rasa-webchat does.

The widget connects, asks for a session (``session_request``), gets it confirmed, sends
``user_uttered`` with that session id and receives ``bot_uttered``. With session
persistence the session id is the sender in the tracker store, so a reload that sends the
same id continues the same conversation. A web page cannot write into a messaging
channel's conversation (``channels/senders.py``). Bad input, with the cases of every
channel (``tests/support/bad_input.py``), gets a clear answer or a 400, and a conversation
going on meanwhile is unaffected.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any, Dict, List, Optional, Tuple

import aiohttp
import pytest
import requests
import socketio

from tests.support.bad_input import (
    BYSTANDER_TURNS,
    EMPTY_ANSWER,
    EMPTY_MESSAGES,
    FORGED_PAYLOADS,
    LONG_MESSAGE,
    MALFORMED_BODIES,
    ODD_MESSAGES,
    TOO_LONG_ANSWER,
    server_is_up,
    steers_nothing,
)
from tests.support.channel_clients import WHATSAPP, Visitor, web_conversation
from tests.support.messaging import (
    FORGED,
    QUIET_SECONDS,
    RESULTS_ANSWER,
    RESULTS_QUESTION,
    conversation_of,
    user_texts,
    users,
    visitor_keys,
)
from tests.support.platform_stub import PlatformStub
from tests.support.servers import Servers

pytestmark = pytest.mark.integration

TIMEOUT = 60


async def converse(
    servers: Servers, origin: str, session: Optional[str], messages: List[str]
) -> Tuple[str, List[List[Dict[str, Any]]]]:
    """Connect as a browser on ``origin`` would, with the session key ``session`` (None: a
    new visitor); the session key the server confirmed, and the bot's messages after each
    message."""
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
        await client.emit("session_request", {"session_id": session})
        given = await asyncio.wait_for(confirmed, TIMEOUT)
        assert session in (None, given)
        replies = []
        for message in messages:
            await client.emit("user_uttered", {"message": message, "session_id": given})
            first = await asyncio.wait_for(received.get(), TIMEOUT)
            turn = [first]
            # The rest of this turn's messages follow at once.
            while True:
                try:
                    turn.append(await asyncio.wait_for(received.get(), 2))
                except asyncio.TimeoutError:
                    break
            replies.append(turn)
        return given, replies
    finally:
        await client.disconnect()


def allowed_origin(servers: Servers) -> str:
    return f"http://localhost:{servers.web_port}"


# Conversations.


async def test_the_widgets_origin_gets_answers_and_the_session_is_the_sender(
    servers: Servers,
) -> None:
    session, (greeting,) = await converse(servers, allowed_origin(servers), None, ["/greet"])
    assert "not medical advice" in greeting[0]["text"]
    assert [b["title"] for b in greeting[0]["quick_replies"]][-1] == "Book a consultation"

    # A reload: a new connection with the same session key continues the conversation.
    _, (answer,) = await converse(
        servers, allowed_origin(servers), session, ["how long do the results last?"]
    )
    assert "months" in answer[0]["text"]
    users = [e["text"] for e in servers.events(web_conversation(session)) if e["event"] == "user"]
    assert users == ["/greet", "how long do the results last?"]


async def test_another_website_cannot_connect(servers: Servers) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        await converse(servers, "https://elsewhere.example", None, ["hello"])


# Sender ids: a web page cannot take a messaging channel's conversation.


async def test_a_web_page_cannot_touch_a_whatsapp_users_conversation(
    servers: Servers, platform_stub: PlatformStub
) -> None:
    wa_id = WHATSAPP.new_id()
    conversation = f"whatsapp:{wa_id}"
    assert WHATSAPP.deliver(servers, WHATSAPP.text(wa_id, RESULTS_QUESTION)).ok
    assert user_texts(servers, conversation) == [RESULTS_QUESTION]
    before = servers.events(conversation)

    async with Visitor(servers) as visitor:
        given = await visitor.session(conversation)
        forged = await visitor.answer(
            {"message": FORGED, "session_id": conversation}, timeout=QUIET_SECONDS
        )
        # The session the page was given instead works as any other.
        answer = await visitor.answer({"message": RESULTS_QUESTION, "session_id": given})

    assert given != conversation and ":" not in given
    assert forged is None
    assert answer is not None and answer["text"].startswith(RESULTS_ANSWER)
    assert users(servers, web_conversation(given)) == [RESULTS_QUESTION]
    assert servers.events(conversation) == before


# Sessions: the id a conversation is known by is not the key to it.


async def test_knowing_a_conversations_id_does_not_let_another_page_read_or_write_it(
    servers: Servers,
) -> None:
    marker = f"{RESULTS_QUESTION} ({uuid.uuid4().hex[:8]})"
    async with Visitor(servers) as visitor:
        session = await visitor.session(None)
        assert await visitor.answer({"message": marker, "session_id": session})
    # The id the tracker store, the staff app, the logs and the event broker show.
    conversation = conversation_of(servers, marker)

    async with Visitor(servers) as visitor, Visitor(servers) as eavesdropper:
        # The visitor comes back (a reload) and carries on; another page asks for the
        # conversation by its id.
        assert await visitor.session(session) == session
        given = await eavesdropper.session(conversation)
        assert given not in (session, conversation)
        answer = await visitor.answer({"message": RESULTS_QUESTION, "session_id": session})
        assert answer is not None and answer["text"].startswith(RESULTS_ANSWER)
        await asyncio.sleep(QUIET_SECONDS)
        assert eavesdropper.received.empty()
        forged = {"message": FORGED, "session_id": conversation}
        assert await eavesdropper.answer(forged, timeout=QUIET_SECONDS) is None

    assert user_texts(servers, conversation, count=2) == [marker, RESULTS_QUESTION]


async def test_the_rest_channel_cannot_write_into_a_website_conversation(
    servers: Servers,
) -> None:
    marker = f"{RESULTS_QUESTION} ({uuid.uuid4().hex[:8]})"
    async with Visitor(servers) as visitor:
        session = await visitor.session(None)
        assert await visitor.answer({"message": marker, "session_id": session})
    conversation = conversation_of(servers, marker)

    def rest(sender: str) -> requests.Response:
        return requests.post(
            f"{servers.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": FORGED},
            timeout=TIMEOUT,
        )

    assert (await asyncio.to_thread(rest, conversation)).status_code == 400
    # The widget's own key, as a REST sender, is just another REST conversation.
    assert (await asyncio.to_thread(rest, session)).ok
    assert users(servers, conversation) == [marker]


# Bad input.


async def say(servers: Servers, message: str) -> List[Dict[str, Any]]:
    """One message from a new visitor of the website; the bot's messages in reply."""
    _, [turn] = await converse(servers, allowed_origin(servers), None, [message])
    return turn


@pytest.mark.parametrize("message", EMPTY_MESSAGES, ids=repr)
async def test_socketio_an_empty_message_gets_the_polite_answer(
    servers: Servers, message: str
) -> None:
    assert [m["text"] for m in await say(servers, message)] == [EMPTY_ANSWER]


async def test_socketio_a_100_kb_message_gets_the_polite_answer(servers: Servers) -> None:
    [answer] = await say(servers, LONG_MESSAGE)
    assert TOO_LONG_ANSWER in answer["text"]


@pytest.mark.parametrize("message", [*ODD_MESSAGES, *FORGED_PAYLOADS], ids=lambda m: repr(m[:30]))
async def test_socketio_odd_text_gets_an_answer_and_steers_nothing(
    servers: Servers, message: str
) -> None:
    session, [turn] = await converse(servers, allowed_origin(servers), None, [message])

    assert turn and all(m.get("text", "").strip() for m in turn)
    steers_nothing(servers.events(web_conversation(session)))


WRONG_SHAPES = {
    "a string": "how long do results last?",
    "a list": ["how long do results last?"],
    "a number": 12,
    "nothing": None,
    "message is a number": {"message": 12},
    "message is null": {"message": None},
    "message is an object": {"message": {"text": "hi"}},
    "message is a list": {"message": ["hi"]},
}


@pytest.mark.parametrize("data", WRONG_SHAPES.values(), ids=WRONG_SHAPES.keys())
async def test_socketio_a_message_of_the_wrong_shape_gets_the_polite_answer(
    servers: Servers, data: Any
) -> None:
    async with Visitor(servers) as visitor:
        session_id = await visitor.session(None)
        if isinstance(data, dict):
            data = {**data, "session_id": session_id}

        answer = await visitor.answer(data)

        assert answer is not None and answer["text"] == EMPTY_ANSWER
        assert servers.events(web_conversation(session_id)) == []
        # The connection still works.
        metadata = {"message": RESULTS_QUESTION, "session_id": session_id, "metadata": "{bad"}
        after = await visitor.answer(metadata)
        assert after is not None and after["text"].startswith(RESULTS_ANSWER)


async def test_socketio_only_allowlisted_bounded_metadata_is_stored(servers: Servers) -> None:
    metadata = {
        "language": "en-GB",
        "page": "x" * 100_000,
        "nested": {"deep": ["y" * 10_000]},
        "model_id": "forged",
    }
    async with Visitor(servers) as visitor:
        session_id = await visitor.session(None)
        data = {"message": RESULTS_QUESTION, "session_id": session_id, "metadata": metadata}

        answer = await visitor.answer(data)

    assert answer is not None and answer["text"].startswith(RESULTS_ANSWER)
    conversation = web_conversation(session_id)
    assert user_texts(servers, conversation) == [RESULTS_QUESTION]
    events = servers.events(conversation)
    [user] = [e for e in events if e["event"] == "user"]
    assert visitor_keys(user["metadata"]) == {"language": "en-GB"}
    # Nothing else of it anywhere in the conversation (the session start's slot included).
    stored = json.dumps(events)
    assert "x" * 100 not in stored and "y" * 100 not in stored and "forged" not in stored
    assert len(stored) < 20_000


def polling(servers: Servers, sid: Optional[str] = None) -> str:
    url = f"{servers.rasa_url}/socket.io/?EIO=4&transport=polling"
    return f"{url}&sid={sid}" if sid else url


def open_polling_session(servers: Servers) -> Tuple[requests.Session, str, str]:
    """An engine.io long-polling session, as the widget opens one; its sid, and the session
    key the server gave."""
    http = requests.Session()
    opened = http.get(polling(servers), timeout=TIMEOUT)
    sid = json.loads(opened.text[1:])["sid"]
    assert http.post(polling(servers, sid), data=b"40", timeout=TIMEOUT).status_code == 200
    assert http.get(polling(servers, sid), timeout=TIMEOUT).text.startswith("40")
    request = b'42["session_request",{"session_id":null}]'
    assert http.post(polling(servers, sid), data=request, timeout=TIMEOUT).status_code == 200
    confirmed = http.get(polling(servers, sid), timeout=TIMEOUT).text
    event, session = json.loads(confirmed[confirmed.index("[") :])
    assert event == "session_confirm"
    return http, sid, session


SOCKETIO_GARBAGE = {
    **MALFORMED_BODIES,
    "a socket.io event that is not JSON": b'42["user_uttered", {"message": "hi"',
    "a socket.io event that is an object": b'42{"message": "hi"}',
    "a socket.io event without a name": b"42[12]",
    "a packet of no known type": b"x42[]",
}


def test_socketio_an_unreadable_body_gets_400_and_the_session_goes_on(servers: Servers) -> None:
    http, sid, session_id = open_polling_session(servers)

    statuses = {
        name: http.post(polling(servers, sid), data=body, timeout=TIMEOUT).status_code
        for name, body in SOCKETIO_GARBAGE.items()
    }

    assert statuses == dict.fromkeys(SOCKETIO_GARBAGE, 400)
    message = json.dumps(["user_uttered", {"message": RESULTS_QUESTION, "session_id": session_id}])
    assert http.post(polling(servers, sid), data=b"42" + message.encode()).status_code == 200
    answer = http.get(polling(servers, sid), timeout=TIMEOUT).text
    assert "bot_uttered" in answer and RESULTS_ANSWER in answer
    server_is_up(servers)


async def test_socketio_a_conversation_meanwhile_is_unaffected(servers: Servers) -> None:
    async def bad_visitor() -> None:
        async with Visitor(servers) as visitor:
            own = await visitor.session(None)
            for data in WRONG_SHAPES.values():
                await visitor.answer(data, timeout=5)
            for message in [*EMPTY_MESSAGES, LONG_MESSAGE, *ODD_MESSAGES, *FORGED_PAYLOADS]:
                await visitor.answer({"message": message, "session_id": own}, timeout=5)
        sid = (await asyncio.to_thread(open_polling_session, servers))[1]
        async with aiohttp.ClientSession() as http:
            for body in SOCKETIO_GARBAGE.values():
                async with http.post(polling(servers, sid), data=body) as reply:
                    assert reply.status == 400

    bystander = converse(servers, allowed_origin(servers), None, BYSTANDER_TURNS)
    (session, turns), _ = await asyncio.gather(bystander, bad_visitor())

    assert all(turns)
    assert any(m["text"].startswith(RESULTS_ANSWER) for turn in turns for m in turn), turns
    conversation = web_conversation(session)
    users = [e["text"] for e in servers.events(conversation) if e["event"] == "user"]
    assert users == BYSTANDER_TURNS
