"""The event broker chosen by EVENT_BROKER_URL (stores/broker.py), with the local RabbitMQ."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import aio_pika
import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.core.brokers.pika import PikaEventBroker
from rasa.utils.endpoints import read_endpoint_config

from stores.broker import pika_config

ROOT = Path(__file__).resolve().parents[2]
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672/"


async def broker() -> EventBroker | None:
    """The event broker endpoints.yml configures, created as the Rasa server does."""
    config = read_endpoint_config(str(ROOT / "endpoints.yml"), "event_broker")
    return await EventBroker.create(config, asyncio.get_running_loop())


async def test_without_a_url_there_is_no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVENT_BROKER_URL", raising=False)
    assert await broker() is None


async def test_with_a_url_events_reach_the_rabbitmq_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    queue_name = f"test_events_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("EVENT_BROKER_URL", RABBITMQ)
    monkeypatch.setenv("EVENT_BROKER_QUEUE", queue_name)
    created = await broker()
    assert isinstance(created, PikaEventBroker)
    try:
        for _ in range(100):
            if created.is_ready():
                break
            await asyncio.sleep(0.1)
        created.publish({"event": "user", "sender_id": "visitor-3", "text": "hi"})

        connection = await aio_pika.connect_robust(RABBITMQ)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(queue_name, durable=True)
            message = None
            for _ in range(100):
                message = await queue.get(no_ack=True, fail=False)
                if message is not None:
                    break
                await asyncio.sleep(0.1)
            assert message is not None
            assert json.loads(message.body)["sender_id"] == "visitor-3"
            await queue.delete(if_unused=False, if_empty=False)
    finally:
        await created.close()


def test_the_url_becomes_rasas_pika_settings() -> None:
    config = pika_config("amqp://ana:s%40cret@mq.internal:5673/", "q1")
    assert config.url == "mq.internal"
    assert config.kwargs["username"] == "ana"
    assert config.kwargs["password"] == "s@cret"
    assert config.kwargs["port"] == 5673
    assert config.kwargs["queues"] == ["q1"]


@pytest.mark.parametrize("url", ["http://mq:5672/", "amqp://", "mq.internal"])
def test_a_url_that_is_not_amqp_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="EVENT_BROKER_URL"):
        pika_config(url, "q")
