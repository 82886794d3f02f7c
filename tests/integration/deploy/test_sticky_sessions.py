"""Sticky sessions through a running nginx with the shipped ``deploy/nginx.conf``.

Rasa's socket.io channel keeps a visitor's engine.io session in the server process that
opened it, so the website's path must keep a visitor on one server. Here two Rasa servers
share PostgreSQL (a fresh schema) and Redis, with one action server, behind Debian's nginx
running the shipped configuration (``tests/support/nginx.py`` only changes its addresses).

nginx's ``ip_hash`` keys on the first three octets of the client's IPv4 address, so
visitors from different networks are simulated by binding each client to its own source
address 127.0.N.1 (all of 127/8 is loopback on Linux). Each visitor is the socket.io
client the widget is (long-polling, as the project's other socket.io tests), and nginx
says which server answered each request (``X-Upstream``). The test shows that

(a) the visitors are spread over both servers;
(b) every request of one visitor goes to the same server, and each visitor's multi-turn
    conversation gets all its replies and is stored whole;
(c) as a control, the same visitors through the same configuration without ``ip_hash``
    (round robin) break: engine.io answers 400 "Invalid session" to a request that reaches
    the server that never saw the session;
(d) the widget's websocket upgrade (socket.io opens with long-polling, then moves the
    session to a websocket) passes nginx and reaches the server that opened the session,
    and the conversation goes on over the websocket.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import aiohttp
import pytest
import socketio

from launcher import processes
from tests.support.channel_clients import web_conversation
from tests.support.messaging import RESULTS_ANSWER, RESULTS_QUESTION
from tests.support.nginx import SHIPPED, Nginx, local_config, nginx_binary, running_nginx
from tests.support.shared_stores import fresh_schema, rasa_servers, stored

pytestmark = pytest.mark.integration

#: Visitors' networks: the visitor n comes from 127.0.n.1.
NETWORKS = range(1, 13)
#: Each visitor's conversation.
TURNS = ["hello", RESULTS_QUESTION, "bye"]
ANSWER_SECONDS = 60.0
#: How long the rest of a turn's messages are waited for after the first.
MORE_SECONDS = 1.5


@dataclass
class Visit:
    """What one visitor did and got."""

    address: str
    session_id: str
    #: Each HTTP request's status and the server nginx sent it to (X-Upstream), in order.
    requests: List[Tuple[int, str]] = field(default_factory=list)
    replies: List[List[Dict[str, Any]]] = field(default_factory=list)
    error: Optional[str] = None

    @property
    def upstreams(self) -> List[str]:
        return [upstream for _, upstream in self.requests]

    @property
    def complete(self) -> bool:
        return self.error is None and len(self.replies) == len(TURNS) and all(self.replies)


async def visit(url: str, address: str, answer_seconds: float = ANSWER_SECONDS) -> Visit:
    """A visitor from ``address`` talks to the website's channel at ``url``."""
    record = Visit(address, "")

    async def on_request_end(_: Any, __: Any, params: aiohttp.TraceRequestEndParams) -> None:
        upstream = params.response.headers.get("X-Upstream", "")
        record.requests.append((params.response.status, upstream))

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_request_end)  # type: ignore[arg-type]
    http = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(local_addr=(address, 0)), trace_configs=[trace]
    )
    client = socketio.AsyncClient(reconnection=False, http_session=http)
    received: asyncio.Queue[Dict[str, Any]] = asyncio.Queue()
    confirmed: asyncio.Queue[str] = asyncio.Queue()
    client.on("bot_uttered", received.put_nowait)
    client.on("session_confirm", confirmed.put_nowait)
    try:
        await client.connect(url, transports=["polling"], wait_timeout=answer_seconds)
        await client.emit("session_request", {"session_id": None})
        record.session_id = await asyncio.wait_for(confirmed.get(), answer_seconds)
        for message in TURNS:
            data = {"message": message, "session_id": record.session_id}
            await client.emit("user_uttered", data)
            turn = [await asyncio.wait_for(received.get(), answer_seconds)]
            while True:
                try:
                    turn.append(await asyncio.wait_for(received.get(), MORE_SECONDS))
                except asyncio.TimeoutError:
                    break
            record.replies.append(turn)
    except (socketio.exceptions.SocketIOError, asyncio.TimeoutError, aiohttp.ClientError) as error:
        record.error = f"{type(error).__name__}: {error}"
    finally:
        await client.disconnect()
        await http.close()
    return record


async def visitors(nginx: Nginx, answer_seconds: float = ANSWER_SECONDS) -> List[Visit]:
    """One visitor from each network, all at once, and two more from the first network."""
    addresses = [f"127.0.{n}.1" for n in NETWORKS] + ["127.0.1.2", "127.0.1.3"]
    return list(await asyncio.gather(*(visit(nginx.url, a, answer_seconds) for a in addresses)))


def test_the_configuration_run_is_the_shipped_one_with_local_addresses(tmp_path: Path) -> None:
    shipped = SHIPPED.read_text()
    sticky = local_config(shipped, [7001, 7002], 8088, tmp_path, website_port=7003)
    round_robin = local_config(
        shipped, [7001, 7002], 8088, tmp_path, ip_hash=False, website_port=7003
    )

    changed = ("server rasa", "server web:", "listen 80;")
    kept = [line for line in shipped.splitlines() if not line.strip().startswith(changed)]
    remaining = iter(sticky.splitlines())
    assert all(line in remaining for line in kept)  # every other line, in the same order
    assert "    server 127.0.0.1:7001;\n    server 127.0.0.1:7002;\n" in sticky
    assert "listen 127.0.0.1:8088;" in sticky
    assert "add_header X-Upstream $upstream_addr always;" in sticky
    assert round_robin == sticky.replace("    ip_hash;\n", "", 1)
    assert "ip_hash" not in round_robin.split("upstream rasa", 1)[1]


@pytest.fixture(scope="module")
def schema() -> Iterator[str]:
    with fresh_schema("sticky") as name:
        yield name


@pytest.fixture(scope="module")
def upstreams(tmp_path_factory: pytest.TempPathFactory, schema: str) -> Iterator[List[int]]:
    """Two Rasa servers on one PostgreSQL schema and one Redis, one action server; their
    ports."""
    if nginx_binary() is None:
        pytest.fail("nginx is not installed: `make setup` installs it (unless SETUP_NGINX=0)")
    try:
        folder = tmp_path_factory.mktemp("sticky")
        with rasa_servers(folder, schema, one_action_server=True) as running:
            yield [server.rasa_port for server in running]
    except processes.ServerError as error:
        pytest.fail(str(error))


@contextmanager
def start_nginx(upstreams: List[int], folder: Path, ip_hash: bool) -> Iterator[Nginx]:
    """nginx with the shipped configuration (``ip_hash`` kept or not) in front of them."""
    try:
        with running_nginx(upstreams, folder, ip_hash=ip_hash) as nginx:
            yield nginx
    except processes.ServerError as error:
        pytest.fail(str(error))


async def test_ip_hash_keeps_each_visitor_on_one_server_and_spreads_them(
    upstreams: List[int], schema: str, tmp_path: Path
) -> None:
    with start_nginx(upstreams, tmp_path / "nginx", ip_hash=True) as nginx:
        visits = await visitors(nginx)

    servers = {f"127.0.0.1:{port}" for port in upstreams}
    for v in visits:
        # (b) One server for every request of a visitor, and the whole conversation.
        assert v.error is None, (v.address, v.error, v.requests)
        assert len(set(v.upstreams)) == 1 and v.upstreams[0] in servers, v.requests
        assert {status for status, _ in v.requests} == {200}, v.requests
        assert v.complete, v.replies
        answers = [m.get("text", "") for turn in v.replies for m in turn]
        assert any(a.startswith(RESULTS_ANSWER) for a in answers), answers
        conversation = web_conversation(v.session_id)
        users = [e["text"] for e in stored(schema, conversation) if e["event"] == "user"]
        assert users == TURNS, v.address
    # (a) Visitors from different networks are spread over both servers.
    by_address = {v.address: v.upstreams[0] for v in visits}
    assert set(by_address.values()) == servers, by_address
    # ip_hash keys on the network: visitors from one /24 share a server.
    assert by_address["127.0.1.1"] == by_address["127.0.1.2"] == by_address["127.0.1.3"]


async def engineio_handshake(http: aiohttp.ClientSession, url: str) -> Tuple[str, str]:
    """Open an engine.io session through nginx; its sid and the server that opened it."""
    async with http.get(f"{url}/socket.io/?EIO=4&transport=polling") as opened:
        text = await opened.text()
        assert opened.status == 200 and text.startswith("0"), text
        sid = text.split('"sid":"', 1)[1].split('"', 1)[0]
        return sid, opened.headers["X-Upstream"]


async def test_without_ip_hash_socketio_sessions_break(
    upstreams: List[int], tmp_path: Path
) -> None:
    with start_nginx(upstreams, tmp_path / "nginx", ip_hash=False) as nginx:
        # One visitor, by hand: the request after the handshake goes to the other server.
        refusals = []
        async with aiohttp.ClientSession() as http:
            for _ in range(3):
                sid, opener = await engineio_handshake(http, nginx.url)
                url = f"{nginx.url}/socket.io/?EIO=4&transport=polling&sid={sid}"
                async with http.post(url, data=b"40") as reply:
                    refusals.append(
                        (reply.status, await reply.text(), reply.headers["X-Upstream"], opener)
                    )
        # The same visitors as with ip_hash.
        visits = await visitors(nginx, answer_seconds=10)

    assert any(
        status == 400 and "Invalid session" in body and server != opener
        for status, body, server, opener in refusals
    ), refusals
    broken = [v for v in visits if not v.complete]
    assert len(broken) >= 0.75 * len(visits), [(v.address, v.requests) for v in visits]
    # What broke them: a request that reached the server that had not opened the session.
    refused = [v for v in broken if any(status == 400 for status, _ in v.requests)]
    assert refused and all(len(set(v.upstreams)) == 2 for v in refused)


async def websocket_visit(url: str, address: str) -> Tuple[str, str, List[Dict[str, Any]]]:
    """A visitor from ``address`` as the widget's socket.io client: an engine.io session
    opened by long-polling, upgraded to a websocket, then a turn over the websocket.

    Returns the server that opened the session, the one the websocket reached, and the
    replies to the turn.
    """
    upgrades: List[str] = []

    async def on_request_end(_: Any, __: Any, params: aiohttp.TraceRequestEndParams) -> None:
        if params.response.status == 101:  # Switching Protocols: the websocket
            upgrades.append(params.response.headers.get("X-Upstream", ""))

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_request_end)  # type: ignore[arg-type]
    connector = aiohttp.TCPConnector(local_addr=(address, 0))
    async with aiohttp.ClientSession(connector=connector, trace_configs=[trace]) as http:
        sid, opener = await engineio_handshake(http, url)
        socket_url = url.replace("http://", "ws://") + (
            f"/socket.io/?EIO=4&transport=websocket&sid={sid}"
        )
        async with http.ws_connect(socket_url, timeout=ANSWER_SECONDS) as ws:

            async def receive() -> str:
                while True:
                    packet = await asyncio.wait_for(ws.receive_str(), ANSWER_SECONDS)
                    if packet == "2":  # engine.io ping
                        await ws.send_str("3")
                    elif packet != "6":  # engine.io noop (ends a pending poll)
                        return packet

            await ws.send_str("2probe")
            assert await receive() == "3probe"
            await ws.send_str("5")  # upgrade: the session now lives on the websocket
            await ws.send_str("40")  # socket.io: connect to the default namespace
            assert (await receive()).startswith("40")
            await ws.send_str('42["session_request",{"session_id":null}]')
            event, session_id = json.loads((await receive())[2:])
            assert event == "session_confirm"
            message = {"message": RESULTS_QUESTION, "session_id": session_id}
            await ws.send_str("42" + json.dumps(["user_uttered", message]))
            replies = []
            packet = await receive()
            while True:
                event, data = json.loads(packet[2:])
                assert event == "bot_uttered", packet
                replies.append(data)
                try:
                    packet = await asyncio.wait_for(receive(), MORE_SECONDS)
                except asyncio.TimeoutError:
                    break
    assert len(upgrades) == 1, upgrades
    return opener, upgrades[0], replies


async def test_the_websocket_upgrade_passes_nginx_to_the_same_server(
    upstreams: List[int], tmp_path: Path
) -> None:
    with start_nginx(upstreams, tmp_path / "nginx", ip_hash=True) as nginx:
        addresses = [f"127.0.{n}.1" for n in NETWORKS]
        visits = await asyncio.gather(*(websocket_visit(nginx.url, a) for a in addresses))

    servers = {f"127.0.0.1:{port}" for port in upstreams}
    assert {opener for opener, _, _ in visits} == servers
    for opener, upgraded_on, replies in visits:
        assert upgraded_on == opener
        assert any(r.get("text", "").startswith(RESULTS_ANSWER) for r in replies), replies
