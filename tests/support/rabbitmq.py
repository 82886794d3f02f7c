"""The machine's RabbitMQ as the event broker tests read it: take the messages a queue
holds, delete a test's queue."""

from __future__ import annotations

import asyncio
from typing import List

import aio_pika

RABBITMQ_PORT = 5672
RABBITMQ = f"amqp://guest:guest@127.0.0.1:{RABBITMQ_PORT}/"
#: How long no further message may come, once the expected ones have, before taking stops.
QUIET_S = 1.0


async def take(
    queue: str, expected: int, wait_s: float = 10.0
) -> List[aio_pika.abc.AbstractIncomingMessage]:
    """The messages of ``queue`` (taken off it) once ``expected`` have come, or after
    ``wait_s``; and any that come within ``QUIET_S`` after, so that one too many shows."""
    received: List[aio_pika.abc.AbstractIncomingMessage] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    quiet_since = None
    async with await aio_pika.connect(RABBITMQ) as connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, durable=True)
        while loop.time() < deadline:
            message = await declared.get(no_ack=True, fail=False)
            if message is not None:
                received.append(message)
                quiet_since = None
                continue
            if len(received) >= expected:
                quiet_since = quiet_since or loop.time()
                if loop.time() - quiet_since > QUIET_S:
                    break
            await asyncio.sleep(0.05)
    return received


async def delete(queue: str) -> None:
    """Delete ``queue`` (nothing happens if there is none)."""
    async with await aio_pika.connect(RABBITMQ) as connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)
