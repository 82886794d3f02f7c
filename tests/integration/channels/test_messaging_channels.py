"""Bad input through the website's socket.io channel and every messaging webhook of the real
server, with the cases of the REST channel's tests (``bad_input.py``): each gets a clear
answer (the channel's reply, through the platform stand-in for the webhooks) or a 4xx, the
server stays up, and a conversation going on meanwhile is unaffected.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from typing import Any, Dict, List, Optional, Tuple

import aiohttp
import pytest
import requests

from tests.conversations.bad_input import (
    EMPTY_ANSWER,
    EMPTY_MESSAGES,
    FORGED_PAYLOADS,
    LONG_MESSAGE,
    MALFORMED_BODIES,
    ODD_MESSAGES,
    TOO_LONG_ANSWER,
    steers_nothing,
)
from tests.conversations.channel_clients import JSON, PLATFORMS, Platform, Visitor
from tests.conversations.messaging import (
    QUIET_SECONDS,
    RESULTS_ANSWER,
    RESULTS_QUESTION,
    sent,
    user_texts,
)
from tests.conversations.test_socketio import allowed_origin, converse
from tests.platform_stub import PlatformStub
from tests.servers import Servers

pytestmark = pytest.mark.integration

TIMEOUT = 60
#: A conversation going on while the bad input arrives: its turns, and what the second gets.
BYSTANDER_TURNS = ["hello", RESULTS_QUESTION, "bye"]


def by_name(platform: Platform) -> str:
    return platform.name


def with_buttons() -> List[Platform]:
    return [p for p in PLATFORMS if p.press is not None]


def replies(platform_stub: PlatformStub, platform: Platform, visitor: str) -> List[str]:
    """The texts of the first replies to ``visitor`` (waits for at least one)."""
    return [platform.reply_text(r) for r in sent(platform_stub, platform.is_reply_to(visitor))]


def server_is_up(servers: Servers) -> None:
    assert requests.get(f"{servers.rasa_url}/", timeout=10).ok


# The messaging webhooks.


@pytest.mark.parametrize("platform", PLATFORMS, ids=by_name)
@pytest.mark.parametrize("message", EMPTY_MESSAGES, ids=repr)
def test_an_empty_message_gets_the_polite_answer_on_its_platform(
    servers: Servers, platform_stub: PlatformStub, platform: Platform, message: str
) -> None:
    visitor = platform.new_id()

    assert platform.deliver(servers, platform.text(visitor, message)).status_code == 200

    assert replies(platform_stub, platform, visitor) == [EMPTY_ANSWER]
    assert servers.events(platform.stored_as(visitor)) == []


@pytest.mark.parametrize("platform", PLATFORMS, ids=by_name)
def test_a_100_kb_message_gets_the_polite_answer_and_is_not_stored(
    servers: Servers, platform_stub: PlatformStub, platform: Platform
) -> None:
    visitor = platform.new_id()

    assert platform.deliver(servers, platform.text(visitor, LONG_MESSAGE)).status_code == 200

    [answer] = replies(platform_stub, platform, visitor)
    assert TOO_LONG_ANSWER in answer
    assert servers.events(platform.stored_as(visitor)) == []


@pytest.mark.parametrize("platform", PLATFORMS, ids=by_name)
@pytest.mark.parametrize("message", ODD_MESSAGES, ids=lambda m: repr(m[:30]))
def test_odd_text_gets_an_answer_and_steers_nothing(
    servers: Servers, platform_stub: PlatformStub, platform: Platform, message: str
) -> None:
    visitor = platform.new_id()

    assert platform.deliver(servers, platform.text(visitor, message)).status_code == 200

    texts = replies(platform_stub, platform, visitor)
    assert texts and all(t.strip() for t in texts)
    assert len(user_texts(servers, platform.stored_as(visitor))) == 1
    steers_nothing(servers.events(platform.stored_as(visitor)))


@pytest.mark.parametrize("platform", with_buttons(), ids=by_name)
@pytest.mark.parametrize("payload", FORGED_PAYLOADS)
def test_a_forged_button_payload_gets_an_answer_and_steers_nothing(
    servers: Servers, platform_stub: PlatformStub, platform: Platform, payload: str
) -> None:
    assert platform.press is not None
    visitor = platform.new_id()

    assert platform.deliver(servers, platform.press(visitor, payload)).status_code == 200

    assert replies(platform_stub, platform, visitor)
    assert len(user_texts(servers, platform.stored_as(visitor))) == 1
    steers_nothing(servers.events(platform.stored_as(visitor)))


def refusals(servers: Servers, platform: Platform, visitor: str) -> Dict[str, Tuple[int, int]]:
    """Every malformed body and every payload of the wrong shape, posted signed and
    unsigned: the statuses they got, by case."""
    cases = {
        **{name: (body, dict(JSON)) for name, body in MALFORMED_BODIES.items()},
        **platform.wrong_types(visitor),
    }
    statuses = {}
    for name, (body, headers) in cases.items():
        content_type = {"Content-Type": headers["Content-Type"]}
        signed = {**headers, **platform.sign(body, platform.secret)}
        statuses[name] = (
            platform.deliver(servers, (body, signed)).status_code,
            platform.deliver(servers, (body, content_type)).status_code,
        )
    return statuses


@pytest.mark.parametrize("platform", PLATFORMS, ids=by_name)
def test_a_malformed_or_wrongly_typed_body_gets_400_signed_and_401_unsigned(
    servers: Servers, platform_stub: PlatformStub, platform: Platform
) -> None:
    visitor = platform.new_id()

    statuses = refusals(servers, platform, visitor)

    wrong = {name: got for name, got in statuses.items() if got != (400, 401)}
    assert wrong == {}, f"expected (400 signed, 401 unsigned): {wrong}"
    assert platform_stub.wait_for(platform.is_reply_to(visitor), timeout=QUIET_SECONDS) == []
    assert servers.events(platform.stored_as(visitor)) == []
    server_is_up(servers)


@pytest.mark.parametrize("platform", PLATFORMS, ids=by_name)
def test_a_conversation_meanwhile_is_unaffected(
    servers: Servers, platform_stub: PlatformStub, platform: Platform
) -> None:
    bystander = platform.new_id()
    errors: List[BaseException] = []

    def converse() -> None:
        try:
            for number, text in enumerate(BYSTANDER_TURNS, 1):
                assert platform.deliver(servers, platform.text(bystander, text)).ok
                user_texts(servers, platform.stored_as(bystander), count=number)
        except BaseException as error:  # reported by the test's thread
            errors.append(error)

    thread = threading.Thread(target=converse)
    thread.start()
    try:
        for message in [*EMPTY_MESSAGES, LONG_MESSAGE, *ODD_MESSAGES]:
            platform.deliver(servers, platform.text(platform.new_id(), message))
        refusals(servers, platform, platform.new_id())
    finally:
        thread.join(timeout=3 * TIMEOUT)
    assert not errors, errors

    assert user_texts(servers, platform.stored_as(bystander)) == BYSTANDER_TURNS
    to_bystander = platform.is_reply_to(bystander)
    answers = [platform.reply_text(r) for r in platform_stub.requests() if to_bystander(r)]
    assert len(answers) >= len(BYSTANDER_TURNS)
    assert any(a.startswith(RESULTS_ANSWER) for a in answers), answers
    assert EMPTY_ANSWER not in answers and not any(TOO_LONG_ANSWER in a for a in answers)


# The website's socket.io channel.


async def say(servers: Servers, message: str) -> List[Dict[str, Any]]:
    """One message from a new visitor of the website; the bot's messages in reply."""
    [turn] = await converse(servers, allowed_origin(servers), uuid.uuid4().hex, [message])
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
    session_id = uuid.uuid4().hex
    [turn] = await converse(servers, allowed_origin(servers), session_id, [message])

    assert turn and all(m.get("text", "").strip() for m in turn)
    steers_nothing(servers.events(session_id))


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
        session_id = await visitor.session(uuid.uuid4().hex)
        if isinstance(data, dict):
            data = {**data, "session_id": session_id}

        answer = await visitor.answer(data)

        assert answer is not None and answer["text"] == EMPTY_ANSWER
        assert servers.events(session_id) == []
        # The connection still works.
        metadata = {"message": RESULTS_QUESTION, "session_id": session_id, "metadata": "{bad"}
        after = await visitor.answer(metadata)
        assert after is not None and after["text"].startswith(RESULTS_ANSWER)


def polling(servers: Servers, sid: Optional[str] = None) -> str:
    url = f"{servers.rasa_url}/socket.io/?EIO=4&transport=polling"
    return f"{url}&sid={sid}" if sid else url


def open_polling_session(servers: Servers, session_id: str) -> Tuple[requests.Session, str]:
    """An engine.io long-polling session, as the widget opens one; its sid."""
    http = requests.Session()
    opened = http.get(polling(servers), timeout=TIMEOUT)
    sid = json.loads(opened.text[1:])["sid"]
    assert http.post(polling(servers, sid), data=b"40", timeout=TIMEOUT).status_code == 200
    assert http.get(polling(servers, sid), timeout=TIMEOUT).text.startswith("40")
    request = b'42["session_request",{"session_id":"%s"}]' % session_id.encode()
    assert http.post(polling(servers, sid), data=request, timeout=TIMEOUT).status_code == 200
    assert "session_confirm" in http.get(polling(servers, sid), timeout=TIMEOUT).text
    return http, sid


SOCKETIO_GARBAGE = {
    **MALFORMED_BODIES,
    "a socket.io event that is not JSON": b'42["user_uttered", {"message": "hi"',
    "a socket.io event that is an object": b'42{"message": "hi"}',
    "a socket.io event without a name": b"42[12]",
    "a packet of no known type": b"x42[]",
}


def test_socketio_an_unreadable_body_gets_400_and_the_session_goes_on(servers: Servers) -> None:
    session_id = uuid.uuid4().hex
    http, sid = open_polling_session(servers, session_id)

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
    session_id = uuid.uuid4().hex

    async def bad_visitor() -> None:
        async with Visitor(servers) as visitor:
            own = await visitor.session(uuid.uuid4().hex)
            for data in WRONG_SHAPES.values():
                await visitor.answer(data, timeout=5)
            for message in [*EMPTY_MESSAGES, LONG_MESSAGE, *ODD_MESSAGES, *FORGED_PAYLOADS]:
                await visitor.answer({"message": message, "session_id": own}, timeout=5)
        sid = (await asyncio.to_thread(open_polling_session, servers, uuid.uuid4().hex))[1]
        async with aiohttp.ClientSession() as http:
            for body in SOCKETIO_GARBAGE.values():
                async with http.post(polling(servers, sid), data=body) as reply:
                    assert reply.status == 400

    bystander = converse(servers, allowed_origin(servers), session_id, BYSTANDER_TURNS)
    turns, _ = await asyncio.gather(bystander, bad_visitor())

    assert all(turns)
    assert any(m["text"].startswith(RESULTS_ANSWER) for turn in turns for m in turn), turns
    users = [e["text"] for e in servers.events(session_id) if e["event"] == "user"]
    assert users == BYSTANDER_TURNS
