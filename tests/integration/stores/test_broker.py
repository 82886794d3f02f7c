"""The event broker chosen by EVENT_BROKER_URL (stores/broker.py), with the local RabbitMQ."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any, AsyncIterator, Dict, Iterator, List

import aio_pika
import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import read_endpoint_config

from launcher import processes
from stores.broker import ClinicPikaBroker, pika_config
from tests.support.project import ROOT
from tests.support.rabbitmq import RABBITMQ, RABBITMQ_PORT, delete, take
from tests.support.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.integration, pytest.mark.rabbitmq]


async def broker() -> EventBroker | None:
    """The event broker endpoints.yml configures, created as the Rasa server does."""
    config = read_endpoint_config(str(ROOT / "endpoints.yml"), "event_broker")
    return await EventBroker.create(config, asyncio.get_running_loop())


@pytest.fixture
async def queue_name() -> AsyncIterator[str]:
    """A RabbitMQ queue of this test's own, deleted afterwards."""
    name = f"test_events_{uuid.uuid4().hex[:8]}"
    yield name
    await delete(name)


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    """A way to the local RabbitMQ that the test can hold up."""
    forward = TcpProxy(processes.free_port(), "127.0.0.1", RABBITMQ_PORT)
    forward.up()
    yield forward
    forward.close()


def events(count: int, sender: str = "visitor-3") -> List[Dict[str, Any]]:
    return [{"event": "user", "sender_id": sender, "text": f"message {n}"} for n in range(count)]


def unconnected(queue_name: str, **kwargs: Any) -> ClinicPikaBroker:
    """A broker to the local RabbitMQ that has not connected yet (as while it is down)."""
    config = pika_config(RABBITMQ, queue_name)
    settings = {**config.kwargs, **kwargs}
    return ClinicPikaBroker(config.url, **settings, event_loop=asyncio.get_running_loop())


async def test_without_a_url_there_is_no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVENT_BROKER_URL", raising=False)
    assert await broker() is None


async def test_with_a_url_events_reach_the_queue_in_rasas_format(
    monkeypatch: pytest.MonkeyPatch, queue_name: str
) -> None:
    monkeypatch.setenv("EVENT_BROKER_URL", RABBITMQ)
    monkeypatch.setenv("EVENT_BROKER_QUEUE", queue_name)
    created = await broker()
    assert isinstance(created, ClinicPikaBroker)
    try:
        sent = events(25)
        for event in sent:
            created.publish(event)
        received = await take(queue_name, 25)
    finally:
        await created.close()
    # One message per event, in order, nothing twice: what Rasa's Pika broker sends.
    assert [json.loads(message.body) for message in received] == sent
    assert {message.delivery_mode for message in received} == {aio_pika.DeliveryMode.PERSISTENT}
    assert {message.exchange for message in received} == {"rasa-exchange"}


async def test_a_turns_events_are_published_together_after_it(queue_name: str) -> None:
    created = unconnected(queue_name, flush_delay_s=0.5)
    await created.connect()
    try:
        for event in events(3):
            created.publish(event)
        # Nothing is published while the turn is being answered...
        assert await take(queue_name, 1, wait_s=0.3) == []
        # ...then all of it.
        received = await take(queue_name, 3)
    finally:
        await created.close()
    assert [json.loads(m.body)["text"] for m in received] == [
        "message 0",
        "message 1",
        "message 2",
    ]


async def test_closing_publishes_what_is_queued(queue_name: str) -> None:
    created = unconnected(queue_name, flush_delay_s=60.0)
    await created.connect()
    for event in events(4):
        created.publish(event)
    await created.close()
    assert len(await take(queue_name, 4)) == 4


async def test_events_published_while_rabbitmq_is_away_are_kept_and_sent_later(
    queue_name: str,
) -> None:
    away = unconnected(queue_name)
    for event in events(5):
        away.publish(event)
    await away.flush()
    assert await take(queue_name, 1, wait_s=0.3) == []
    await away.connect()
    try:
        received = await take(queue_name, 5)
    finally:
        await away.close()
    assert [json.loads(m.body) for m in received] == events(5)


async def test_the_backlog_is_bounded_and_the_oldest_go_first(
    queue_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    away = unconnected(queue_name, backlog=3)
    with caplog.at_level(logging.WARNING, logger="stores.broker"):
        for event in events(5):
            away.publish(event)
        await away.flush()
    assert "backlog full (3 events), the oldest 2 dropped" in caplog.text
    await away.connect()
    try:
        received = await take(queue_name, 3)
    finally:
        await away.close()
    assert [json.loads(m.body)["text"] for m in received] == [
        "message 2",
        "message 3",
        "message 4",
    ]


async def test_events_rabbitmq_does_not_confirm_in_time_are_kept_and_sent_again(
    queue_name: str, proxy: TcpProxy, caplog: pytest.LogCaptureFixture
) -> None:
    config = pika_config(f"amqp://guest:guest@127.0.0.1:{proxy.port}/", queue_name)
    stalled = ClinicPikaBroker(
        config.url,
        **config.kwargs,
        confirm_timeout_s=0.5,
        event_loop=asyncio.get_running_loop(),
    )
    await stalled.connect()
    try:
        # The connection stays open but nothing passes (RabbitMQ blocking its publishers).
        await asyncio.to_thread(proxy.hold)
        with caplog.at_level(logging.WARNING, logger="stores.broker"):
            for event in events(5):
                stalled.publish(event)
            await stalled.flush()
        assert "5 of 5 events not confirmed by RabbitMQ; kept for later" in caplog.text
        # It passes again: the held messages arrive late, and the kept ones are sent again
        # on the same connection (no reconnection publishes them).
        await asyncio.to_thread(proxy.release)
        received = await take(queue_name, 10)
    finally:
        await stalled.close()
    bodies = [json.loads(message.body) for message in received]
    assert all(bodies.count(event) == 2 for event in events(5))
    assert len(bodies) == 10
