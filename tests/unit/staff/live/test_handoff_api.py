"""The client of the Rasa server's live-chat routes (staff/live/handoff_api.py), against
the stand-in of those routes (tests/support/handoff_stub.py), which answers as issue 17's
contract says and stores the steps in the tracker store as the Rasa server does."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path
from typing import Iterator

import pytest
from aiohttp import web

from launcher.processes import free_port
from staff.live import HandoffApi, HandoffUnreachableError
from tests.support.handoff_stub import HandoffStub
from tests.support.stored_conversations import (
    append_events,
    asks_for_a_person,
    handoff_store,
    started,
)

TOKEN = "a-test-token"


@pytest.fixture
async def tracker_db(tmp_path: Path) -> Path:
    path = tmp_path / "tracker.db"
    store = handoff_store(path)
    await append_events(
        store, "visitor-1", [*started(time.time()), *asks_for_a_person(time.time())]
    )
    store.engine.dispose()
    return path


@pytest.fixture
def stub(tracker_db: Path) -> Iterator[HandoffStub]:
    running = HandoffStub(tracker_db, TOKEN).start()
    yield running
    running.stop()


def closed_port() -> str:
    """An address where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"


async def test_take_message_resume_send_the_bodies_with_the_token(stub: HandoffStub) -> None:
    api = HandoffApi([stub.url], TOKEN)
    taken = await api.take("visitor-1", "ana")
    assert (taken.status, taken.body) == (200, {"state": "taken", "staff": "ana"})
    sent = await api.message("visitor-1", "ana", "Hello, I'm Ana.")
    assert sent.ok
    back = await api.resume("visitor-1", "ana")
    assert back.ok
    assert [(c.route, c.body, c.authorization) for c in stub.calls] == [
        ("take", {"sender_id": "visitor-1", "staff": "ana"}, f"Bearer {TOKEN}"),
        ("message", {"sender_id": "visitor-1", "staff": "ana", "text": "Hello, I'm Ana."},
         f"Bearer {TOKEN}"),
        ("resume", {"sender_id": "visitor-1", "staff": "ana"}, f"Bearer {TOKEN}"),
    ]  # fmt: skip


async def test_someone_elses_conversation_is_a_409_with_who_has_it(stub: HandoffStub) -> None:
    api = HandoffApi([stub.url], TOKEN)
    assert (await api.take("visitor-1", "ana")).ok
    refused = await api.take("visitor-1", "ben")
    assert (refused.status, refused.staff) == (409, "ana")
    assert (await api.message("visitor-1", "ben", "hi")).status == 409
    assert (await api.take("nobody", "ben")).status == 404


async def test_the_first_server_that_can_be_reached_gets_the_call(stub: HandoffStub) -> None:
    api = HandoffApi([closed_port(), stub.url], TOKEN)
    answer = await api.take("visitor-1", "ana")
    assert (answer.status, answer.url) == (200, stub.url)


async def test_no_server_reached_says_where_it_looked() -> None:
    down = closed_port()
    with pytest.raises(HandoffUnreachableError) as raised:
        await HandoffApi([down], TOKEN).take("visitor-1", "ana")
    assert str(raised.value) == f"The assistant could not be reached (nothing answers at {down})."
    assert raised.value.maybe_done is False


async def test_without_a_token_nothing_is_called(stub: HandoffStub) -> None:
    api = HandoffApi([stub.url], "")
    assert not api.configured
    with pytest.raises(HandoffUnreachableError, match="has no RASA_API_TOKEN"):
        await api.take("visitor-1", "ana")
    assert stub.calls == []


async def test_a_wrong_token_is_a_401(stub: HandoffStub) -> None:
    assert (await HandoffApi([stub.url], "not it").take("visitor-1", "ana")).status == 401


async def test_a_server_that_does_not_answer_in_time_may_have_done_it() -> None:
    """It was reached: the next server is not tried (the message would go twice)."""

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/webhooks/handoff/message", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        api = HandoffApi([f"http://127.0.0.1:{port}", closed_port()], TOKEN, timeout=0.3)
        with pytest.raises(HandoffUnreachableError) as raised:
            await api.message("visitor-1", "ana", "hello")
        assert raised.value.maybe_done is True
        assert "did not answer in time" in str(raised.value)
    finally:
        await runner.cleanup()
