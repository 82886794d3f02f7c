"""Conversation events reach RabbitMQ (EVENT_BROKER_URL) through the real server: every
stored event once, in order, in Rasa's format; and RabbitMQ being away, at the start or
mid-conversation, neither stops the assistant nor loses an event.

The server of this module reaches the machine's RabbitMQ through a proxy of the test's own
(tests/support/tcp_proxy.py), so that RabbitMQ can be taken away from it and given
back while the machine's service keeps running.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any, Dict, Iterator, List

import aio_pika
import pytest
import requests

from launcher import local_servers, processes
from tests.support.project import TEST_CLINIC_YAML
from tests.support.rabbitmq import RABBITMQ_PORT, delete, take
from tests.support.servers import trained_model
from tests.support.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.integration, pytest.mark.rabbitmq]


@pytest.fixture(scope="module")
def queue() -> Iterator[str]:
    """A RabbitMQ queue of this module's own, deleted afterwards."""
    name = f"test_conversation_events_{uuid.uuid4().hex[:8]}"
    yield name
    asyncio.run(delete(name))


@pytest.fixture(scope="module")
def proxy() -> Iterator[TcpProxy]:
    """The server's way to RabbitMQ; down until a test brings it up."""
    forward = TcpProxy(processes.free_port(), "127.0.0.1", RABBITMQ_PORT)
    yield forward
    forward.close()


@pytest.fixture(scope="module")
def run(
    tmp_path_factory: pytest.TempPathFactory, queue: str, proxy: TcpProxy
) -> Iterator[local_servers.Running]:
    folder: Path = tmp_path_factory.mktemp("event-broker")
    clinic = folder / "clinic.yml"
    clinic.write_text(TEST_CLINIC_YAML, encoding="utf-8")
    settings = {
        "CLINIC_CONFIG": str(clinic),
        "EVENT_BROKER_URL": f"amqp://guest:guest@127.0.0.1:{proxy.port}/",
        "EVENT_BROKER_QUEUE": queue,
    }
    try:
        # RabbitMQ is away (the proxy is down): the server must start all the same.
        with local_servers.running(trained_model(), folder, settings, web=False) as running:
            yield running
    except processes.ServerError as error:
        pytest.fail(str(error))


def say(run: local_servers.Running, sender: str, text: str) -> str:
    reply = requests.post(
        f"{run.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        timeout=60,
    )
    reply.raise_for_status()
    return " ".join(message.get("text", "") for message in reply.json())


def stored(run: local_servers.Running) -> Dict[str, List[Dict[str, Any]]]:
    """Each sender's stored events, in order."""
    found: Dict[str, List[Dict[str, Any]]] = {}
    with closing(sqlite3.connect(run.tracker_db)) as connection:
        for sender, data in connection.execute("SELECT sender_id, data FROM events ORDER BY id"):
            found.setdefault(sender, []).append(json.loads(data))
    return found


def published(queue: str, expected: int, wait_s: float = 60.0) -> List[Dict[str, Any]]:
    """The events taken off ``queue`` once ``expected`` have come (or after ``wait_s``),
    and any that come in the second after."""
    messages = asyncio.run(take(queue, expected, wait_s))
    assert {m.delivery_mode for m in messages} <= {aio_pika.DeliveryMode.PERSISTENT}
    return [json.loads(m.body) for m in messages]


def by_sender(bodies: List[Dict[str, Any]]) -> Dict[str, List[Dict[str, Any]]]:
    found: Dict[str, List[Dict[str, Any]]] = {}
    for body in bodies:
        sender = body.pop("sender_id")
        found.setdefault(sender, []).append(body)
    return found


def published_until(
    queue: str, sender: str, expected: List[Dict[str, Any]], wait_s: float = 60.0
) -> List[Dict[str, Any]]:
    """``sender``'s events taken off ``queue`` until each of ``expected`` has come (or after
    ``wait_s``), and any that come in the second after: what they are, not how many,
    decides when to stop, so that an event sent twice cannot stand in for a missing one."""
    received: List[Dict[str, Any]] = []
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and not all(event in received for event in expected):
        received += by_sender(published(queue, 0, wait_s=1.0)).get(sender, [])
    return received


def missing(expected: List[Dict[str, Any]], received: List[Dict[str, Any]]) -> List[str]:
    """The events of ``expected`` not in ``received``, told briefly."""
    return [
        f"{event['event']} {event.get('name') or event.get('text') or ''} {event['timestamp']}"
        for event in expected
        if event not in received
    ]


def test_every_stored_event_reaches_the_queue_once_in_order(
    run: local_servers.Running, queue: str, proxy: TcpProxy
) -> None:
    # RabbitMQ is still away: the assistant answers all the same.
    assert "months" in say(run, "broker-1", "how long do the results last?")
    assert "botulinum" in say(run, "broker-2", "what is botox?").lower()
    assert published(queue, 1, wait_s=1.0) == []

    # RabbitMQ comes back: what was kept is published, then the rest as it happens.
    proxy.up()
    assert say(run, "broker-1", "can I have botox while I'm breastfeeding?").startswith(
        "I'm sorry, I can't advise on your own situation."
    )
    assert "Call 911" in say(run, "broker-2", "my throat is closing since my botox today")
    expected = stored(run)
    assert set(expected) == {"broker-1", "broker-2"}
    total = sum(len(events) for events in expected.values())
    assert by_sender(published(queue, total)) == expected


def test_rabbitmq_going_away_mid_conversation_loses_no_event(
    run: local_servers.Running, queue: str, proxy: TcpProxy
) -> None:
    proxy.up()
    assert "months" in say(run, "broker-3", "how long do the results last?")
    before = published_until(queue, "broker-3", stored(run)["broker-3"])
    proxy.down()
    for text in ("what is botox?", "does it hurt?", "how long do the results last?"):
        assert say(run, "broker-3", text)
    proxy.up()
    assert say(run, "broker-3", "thank you")
    expected = stored(run)["broker-3"]
    received = before + published_until(
        queue, "broker-3", [event for event in expected if event not in before]
    )
    # Every stored event arrived; one whose confirmation the cut swallowed may come twice.
    broker_log = [
        line
        for line in (run.folder / "rasa.log").read_text(encoding="utf-8").splitlines()
        if "broker" in line or "pika" in line
    ]
    assert not missing(expected, received), "\n".join(
        ["not published:", *missing(expected, received), "the broker's log:", *broker_log[-30:]]
    )
    assert len(received) <= len(expected) + 10
