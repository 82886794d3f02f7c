"""The socket.io channel (channels/socketio.py): allowed origins, what clients send."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Set, Tuple

import pytest
import socketio
import yaml
from aiohttp import web

from channels import limits
from channels.socketio import ClinicSocketIOInput, client_manager, parse_origins, unreadable
from channels.web_sessions import SessionKeys
from clinic.config import get_clinic
from launcher.processes import free_port
from stores.settings import StoreSettings
from tests.support.channel_requests import Rasa, make_request
from tests.support.project import ROOT


def test_origins_come_from_a_comma_separated_setting() -> None:
    assert parse_origins(" http://localhost:8080, https://clinic.example/ ,") == [
        "http://localhost:8080",
        "https://clinic.example",
    ]


def test_a_list_is_accepted_and_nothing_means_no_other_origin() -> None:
    assert parse_origins(["https://a.example"]) == ["https://a.example"]
    assert parse_origins(None) == []
    assert parse_origins("") == []


@pytest.mark.parametrize("value", ["*", "http://a.example,*", "clinic.example", "ftp://x"])
def test_a_wildcard_or_a_non_http_origin_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="SOCKETIO_CORS_ORIGINS"):
        parse_origins(value)


def test_the_channel_keeps_rasas_settings_and_adds_the_origins() -> None:
    channel = ClinicSocketIOInput.from_credentials(
        {
            "user_message_evt": "user_uttered",
            "bot_message_evt": "bot_uttered",
            "session_persistence": True,
            "cors_allowed_origins": "http://localhost:8080",
        }
    )
    assert isinstance(channel, ClinicSocketIOInput)
    assert channel.name() == "socketio"
    assert channel.session_persistence is True
    assert channel.bot_message_evt == "bot_uttered"
    assert channel.cors_allowed_origins == ["http://localhost:8080"]


def test_the_socketio_server_checks_the_origins() -> None:
    channel = ClinicSocketIOInput.from_credentials({"cors_allowed_origins": "https://a.example"})

    async def on_new_message(_: object) -> None:
        return None

    channel.blueprint(on_new_message)
    assert channel.sio is not None
    assert channel.sio.eio.cors_allowed_origins == ["https://a.example"]


# What clients send (checked before Rasa's channel reads it).


class Recorder:
    """Stands in for the socket.io server's emit, rooms and disconnect; records them."""

    def __init__(self) -> None:
        self.emitted: List[Tuple[str, Any, Any]] = []
        #: Every room entered, in order.
        self.rooms: List[Tuple[str, str]] = []
        self.members: Dict[str, Set[str]] = {}
        self.disconnected: List[str] = []

    async def emit(self, event: str, data: Any = None, room: Any = None, **_: Any) -> None:
        self.emitted.append((event, data, room))

    def enter_room(self, sid: str, room: str, **_: Any) -> None:
        self.rooms.append((sid, room))
        self.members.setdefault(sid, set()).add(room)

    def leave_room(self, sid: str, room: str, **_: Any) -> None:
        self.members.get(sid, set()).discard(room)

    def rooms_of(self, sid: str, namespace: Any = None) -> List[str]:
        """As python-socketio's ``rooms``: the sid's own room and those it entered."""
        return [sid, *sorted(self.members.get(sid, set()))]

    async def disconnect(self, sid: str, **_: Any) -> None:
        self.disconnected.append(sid)


#: Signs the session keys of these tests' channels.
KEYS = SessionKeys(b"a key of the tests")
#: A session key the channel issued, and its conversation.
SESSION = KEYS.issue()
CONVERSATION = f"socketio:{SESSION.partition('.')[0]}"
#: More session keys, by name.
_SESSIONS: Dict[str, str] = {}


def key(name: str) -> str:
    """The session key the channel issued to the visitor called ``name``."""
    return _SESSIONS.setdefault(name, KEYS.issue())


def sender(name: str) -> str:
    """The conversation of the visitor called ``name``."""
    conversation = KEYS.conversation(key(name))
    assert conversation is not None
    return conversation


def channel_with(rasa: Rasa) -> Tuple[ClinicSocketIOInput, Recorder]:
    channel = ClinicSocketIOInput.from_credentials(
        {
            "user_message_evt": "user_uttered",
            "bot_message_evt": "bot_uttered",
            "session_persistence": True,
            "cors_allowed_origins": "http://localhost:8080",
        }
    )
    assert isinstance(channel, ClinicSocketIOInput)
    channel.session_keys = KEYS
    channel.blueprint(rasa)
    recorder = Recorder()
    assert channel.sio is not None
    channel.sio.emit = recorder.emit
    channel.sio.enter_room = recorder.enter_room
    channel.sio.leave_room = recorder.leave_room
    channel.sio.rooms = recorder.rooms_of
    channel.sio.disconnect = recorder.disconnect
    return channel, recorder


def handler(channel: ClinicSocketIOInput, event: str) -> Callable[..., Awaitable[None]]:
    assert channel.sio is not None
    found: Callable[..., Awaitable[None]] = channel.sio.handlers["/"][event]
    return found


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"\xff\xfe\x00 not utf-8", "not UTF-8"),
        (b"", "empty"),
        (b"x-not-a-packet", "engine.io"),
        (b'42["user_uttered", {"message": "hi"', "not JSON"),
        (b"42{not json}", "not JSON"),
        (b'42{"message": "hi"}', "JSON array"),
        (b"42[12]", "JSON array"),
        (b"42[]", "JSON array"),
        # engine.io reads at most 16 packets of one request: no flood of small ones.
        pytest.param(b"\x1e".join([b'42["session_request",{}]'] * 17), "engine.io", id="17"),
    ],
)
def test_a_body_engineio_cannot_read_is_named(body: bytes, problem: str) -> None:
    assert problem in (unreadable(body) or "")


@pytest.mark.parametrize(
    "body",
    [b"40", b'42["user_uttered",{"message":"hi","session_id":"s1"}]', b"3", b"41", b"2\x1e3"],
)
def test_what_a_socketio_client_sends_is_readable(body: bytes) -> None:
    assert unreadable(body) is None


async def test_an_unreadable_body_gets_400_and_a_readable_one_reaches_engineio() -> None:
    channel, _ = channel_with(Rasa())
    assert channel.sio is not None
    path = "/socket.io/?EIO=4&transport=polling&sid=unknown"

    bad = await channel.sio.eio.handle_request(make_request("POST", path, b"42[not json"))
    good = await channel.sio.eio.handle_request(make_request("POST", path, b"40"))

    assert (bad.status, bad.body) == (400, b"a socket.io packet is not JSON")
    # engine.io itself answers the readable one (here: it never saw this session).
    assert good.status == 400 and b"Invalid session unknown" in good.body


async def test_a_session_key_the_server_did_not_sign_is_replaced_by_a_new_one() -> None:
    channel, sent = channel_with(Rasa())
    session_request = handler(channel, "session_request")

    unsigned = [
        "visitor-abc",
        "telegram:42",
        CONVERSATION,  # a conversation's id, as the staff app and the logs show it
        SESSION.partition(".")[0],  # its id alone
        SESSION[:-1] + ("0" if SESSION[-1] != "0" else "1"),  # a forged signature
        SessionKeys(b"another server's key").issue(),
        ["not", "a", "string"],
    ]
    await session_request("sid0", {"session_id": SESSION})
    for number, session_id in enumerate(unsigned, start=1):
        await session_request(f"sid{number}", {"session_id": session_id})
    await session_request("sid9", "not an object")
    await session_request("sid10", {})

    confirmed = [data for event, data, _ in sent.emitted if event == "session_confirm"]
    assert confirmed[0] == SESSION
    new = confirmed[1:]
    assert len(new) == len(set(new)) == len(unsigned) + 2
    assert all(re.fullmatch(r"[0-9a-f]{32}\.[0-9a-f]{64}", key) for key in new)
    # Each client joins the room of its conversation, where Rasa sends the replies.
    rooms = [room for _, room in sent.rooms]
    assert rooms == [KEYS.conversation(key) for key in confirmed]
    assert rooms[0] == CONVERSATION


async def test_a_message_without_a_session_key_signed_here_is_refused() -> None:
    rasa = Rasa()
    channel, sent = channel_with(rasa)
    handle_message = handler(channel, "user_uttered")

    await handle_message("sid1", {"message": "hi", "session_id": "whatsapp:16505551234"})
    await handle_message("sid1", {"message": "hi", "session_id": "TELEGRAM:42"})
    await handle_message("sid1", {"message": "hi", "session_id": CONVERSATION})
    await handle_message("sid1", {"message": "hi", "session_id": "visitor-abc"})
    await handle_message("sid1", {"message": "hi"})

    assert rasa.messages == [] and sent.emitted == []


async def test_a_message_of_the_wrong_shape_gets_the_empty_message_answer() -> None:
    rasa = Rasa()
    channel, sent = channel_with(rasa)
    handle_message = handler(channel, "user_uttered")

    await handle_message("sid1", "just a string")
    await handle_message("sid1")
    await handle_message("sid1", {"message": 12, "session_id": SESSION})
    await handle_message("sid1", {"message": None, "session_id": SESSION})
    await handle_message("sid1", {"message": "hi", "session_id": SESSION, "metadata": "{bad"})
    await handle_message("sid1", {"message": "hi", "session_id": SESSION, "metadata": [1]})
    await handle_message("sid1", {"message": "hi", "session_id": SESSION, "metadata": '{"a": 1}'})

    answers = [(data["text"], room) for event, data, room in sent.emitted]
    empty = "Please type your question about Botox for acne scars."
    assert answers == [
        (empty, "sid1"),
        (empty, "sid1"),
        (empty, CONVERSATION),
        (empty, CONVERSATION),
    ]
    assert [(m.sender_id, m.text, m.metadata) for m in rasa.messages] == [
        (CONVERSATION, "hi", {}),
        (CONVERSATION, "hi", {}),
        (CONVERSATION, "hi", {}),  # "a" is not an allowlisted key (channels/metadata.py)
    ]
    assert {m.input_channel for m in rasa.messages} == {"socketio"}


async def test_metadata_keeps_only_allowlisted_bounded_keys() -> None:
    rasa = Rasa()
    channel, _ = channel_with(rasa)
    handle_message = handler(channel, "user_uttered")
    metadata = {"language": "en-GB", "page": "x" * 100_000, "nested": {"a": ["x" * 1000]}}

    await handle_message("sid1", {"message": "hi", "session_id": key("s1"), "metadata": metadata})
    await handle_message(
        "sid1", {"message": "hi", "session_id": key("s1"), "metadata": "x" * 100_000}
    )

    assert [m.metadata for m in rasa.messages] == [{"language": "en-GB"}, {}]


# Rate limits: per session id and per client address (channels/rate_limits.py).


def limited(monkeypatch: pytest.MonkeyPatch, sender: int, address: int) -> None:
    monkeypatch.setenv("SENDER_MESSAGES_PER_MINUTE", str(sender))
    monkeypatch.setenv("ADDRESS_MESSAGES_PER_MINUTE", str(address))


def connected_from(channel: ClinicSocketIOInput, addresses: Dict[str, str]) -> None:
    """Each socket.io sid connected from the given client address (as python-socketio keeps
    the connection's request in its environ)."""
    assert channel.sio is not None

    def get_environ(sid: str, namespace: Any = None) -> Dict[str, Any]:
        request = make_request("GET", "/socket.io/?EIO=4&transport=polling", peer=addresses[sid])
        return {"sanic.request": request}

    channel.sio.get_environ = get_environ


RATE_LIMITED = (
    "You are sending messages faster than I can answer them. Please wait a minute, then "
    "ask again. If this is an emergency, call {emergency_number} now."
)


def polite_refusal() -> str:
    return RATE_LIMITED.replace("{emergency_number}", get_clinic().emergency_number)


async def test_a_session_over_its_limit_gets_the_polite_refusal_and_nothing_is_processed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limited(monkeypatch, sender=3, address=100)
    rasa = Rasa()
    channel, sent = channel_with(rasa)
    connected_from(channel, {"sid1": "198.51.100.1"})
    handle_message = handler(channel, "user_uttered")

    for number in range(5):
        await handle_message("sid1", {"message": f"hi {number}", "session_id": key("s1")})
    await handle_message("sid1", {"message": "hi", "session_id": key("s2")})

    assert rasa.texts == ["hi 0", "hi 1", "hi 2", "hi"]
    assert [m.sender_id for m in rasa.messages] == [sender("s1")] * 3 + [sender("s2")]
    assert [(data["text"], room) for _, data, room in sent.emitted] == [
        (polite_refusal(), sender("s1")),
        (polite_refusal(), sender("s1")),
    ]


async def test_an_address_over_its_limit_gets_the_polite_refusal_whatever_the_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limited(monkeypatch, sender=100, address=3)
    rasa = Rasa()
    channel, sent = channel_with(rasa)
    connected_from(channel, {"sid1": "198.51.100.7", "sid2": "198.51.100.7", "sid3": "10.1.1.1"})
    handle_message = handler(channel, "user_uttered")

    for number in range(3):
        await handle_message("sid1", {"message": "hi", "session_id": key(f"s{number}")})
    await handle_message("sid2", {"message": "hi", "session_id": key("s9")})
    await handle_message("sid3", {"message": "hi", "session_id": key("s9")})

    assert [m.sender_id for m in rasa.messages] == [
        sender(f"s{number}") for number in (0, 1, 2, 9)
    ]
    assert [(data["text"], room) for _, data, room in sent.emitted] == [
        (polite_refusal(), sender("s9"))
    ]


async def test_a_connection_asking_for_session_after_session_is_cut_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limited(monkeypatch, sender=3, address=100)
    channel, sent = channel_with(Rasa())
    connected_from(channel, {"sid1": "198.51.100.1", "sid2": "198.51.100.2"})
    session_request = handler(channel, "session_request")

    for _ in range(10):
        await session_request("sid1", {})
    await session_request("sid2", {})

    confirmed = [room for event, _, room in sent.emitted if event == "session_confirm"]
    assert confirmed == ["sid1"] * 3 + ["sid2"]
    assert sent.disconnected == ["sid1"] * 7
    # Each new session leaves the conversation of the one before: one room at a time.
    assert len(sent.rooms_of("sid1")) == 2 and len(sent.rooms_of("sid2")) == 2


async def test_a_flood_of_session_requests_from_one_address_is_cut_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limited(monkeypatch, sender=100, address=5)
    channel, sent = channel_with(Rasa())
    addresses = {f"sid{n}": "203.0.113.9" for n in range(8)}
    connected_from(channel, {**addresses, "other": "198.51.100.2"})
    session_request = handler(channel, "session_request")

    for sid in addresses:
        await session_request(sid, {})
    await session_request("other", {})

    assert sent.disconnected == ["sid5", "sid6", "sid7"]
    confirmed = [room for event, _, room in sent.emitted if event == "session_confirm"]
    assert confirmed == [f"sid{n}" for n in range(5)] + ["other"]


async def test_malformed_messages_count_against_the_connection_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limited(monkeypatch, sender=2, address=100)
    channel, sent = channel_with(Rasa())
    connected_from(channel, {"sid1": "198.51.100.1"})
    handle_message = handler(channel, "user_uttered")

    for _ in range(5):
        await handle_message("sid1", "not an object")

    assert len(sent.emitted) == 2 and sent.disconnected == ["sid1"] * 3


def test_the_polite_refusal_is_the_domains_response() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert domain["responses"][limits.RATE_LIMITED_RESPONSE] == [{"text": RATE_LIMITED}]
    # Without a running server (a model trained before it existed), the same words.
    assert limits.response_text(limits.RATE_LIMITED_RESPONSE) == polite_refusal()


# With several servers: emits shared through Redis (the live handoff's staff messages).

REDIS = "redis://127.0.0.1:6379/5"


def built(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> ClinicSocketIOInput:
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("LOCK_STORE_PREFIX", "site1")
    channel = ClinicSocketIOInput.from_credentials({"session_persistence": True})
    assert isinstance(channel, ClinicSocketIOInput)

    async def on_new_message(_: object) -> None:
        return None

    channel.blueprint(on_new_message)
    return channel


def test_without_redis_emits_stay_in_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    channel = built(monkeypatch, "")
    assert channel.sio is not None
    assert not isinstance(channel.sio.manager, socketio.AsyncRedisManager)
    assert client_manager(StoreSettings()) is None


def test_with_redis_the_server_shares_its_emits_through_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    channel = built(monkeypatch, REDIS)
    sio = channel.sio
    assert sio is not None
    assert isinstance(sio.manager, socketio.AsyncRedisManager)
    assert sio.manager.server is sio
    assert sio.manager.channel == "site1-socketio"
    assert sio.manager.redis_url == REDIS
    assert not sio.manager_initialized  # started by the first connection, as Rasa's would be


async def start_server(settings: StoreSettings, room: str) -> Tuple[Any, web.AppRunner, int]:
    """A socket.io server on a free port with the channel's client manager, whose clients
    join ``room`` when they connect."""
    sio = socketio.AsyncServer(async_mode="aiohttp", client_manager=client_manager(settings))
    app = web.Application()
    sio.attach(app)

    async def connect(sid: str, environ: Dict[str, Any], auth: Any = None) -> None:
        sio.enter_room(sid, room)

    sio.on("connect", connect)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return sio, runner, port


@pytest.mark.redis
@pytest.mark.parametrize("shared", [True, False], ids=["through Redis", "control: in memory"])
async def test_an_emit_on_one_server_reaches_a_visitor_connected_to_the_other(
    shared: bool,
) -> None:
    prefix = f"test{uuid.uuid4().hex[:8]}"
    settings = StoreSettings(redis_url=REDIS if shared else "", lock_prefix=prefix)
    room = "socketio:" + "b" * 32
    first, first_runner, _ = await start_server(settings, room)
    _, second_runner, second_port = await start_server(settings, room)
    visitor = socketio.AsyncClient(reconnection=False)
    received: asyncio.Queue[Dict[str, Any]] = asyncio.Queue()
    visitor.on("bot_uttered", received.put_nowait)
    try:
        await visitor.connect(f"http://127.0.0.1:{second_port}", transports=["polling"])
        await asyncio.sleep(0.5)  # the second server subscribes to Redis on its first client

        await first.emit("bot_uttered", {"text": "Hello, this is Ana."}, room=room)
        await first.emit("bot_uttered", {"text": "not yours"}, room="socketio:other")

        if shared:
            assert await asyncio.wait_for(received.get(), 10) == {"text": "Hello, this is Ana."}
        await asyncio.sleep(1.0)
        assert received.empty()
    finally:
        await visitor.disconnect()
        await first_runner.cleanup()
        await second_runner.cleanup()
