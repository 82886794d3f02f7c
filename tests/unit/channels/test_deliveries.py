"""Deliveries a channel received (channels/deliveries.py): claimed, done or released; a
bounded memory; Redis shared by every server, and the memory alone when Redis is away."""

from __future__ import annotations

import logging
import socket
import uuid
from typing import List

import pytest
from redis import Redis

from channels.deliveries import IN_FLIGHT_SECONDS, Deliveries, RecentIds
from channels.settings import DeliverySettings
from tests.support.shared_stores import REDIS


class Clock:
    """A clock a test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_id_is_new_once_until_it_expires() -> None:
    clock = Clock()
    recent = RecentIds(10, clock)

    assert recent.add("a", 60)
    assert not recent.add("a", 60)
    clock.now += 61
    assert recent.add("a", 60)


def test_the_memory_keeps_the_newest_ids_only() -> None:
    recent = RecentIds(3, Clock())

    for key in "abcd":
        recent.add(key, 60)

    assert len(recent) == 3
    assert "a" not in recent and all(key in recent for key in "bcd")


async def test_a_claimed_id_is_a_duplicate_until_released_and_remembered_once_done() -> None:
    clock = Clock()
    deliveries = Deliveries("telegram", DeliverySettings(remember_seconds=3600))
    deliveries.recent = RecentIds(100, clock)

    assert await deliveries.claim("1")
    assert not await deliveries.claim("1")  # in flight
    await deliveries.release("1")  # its handling failed
    assert await deliveries.claim("1")  # the retry is handled
    await deliveries.done("1")
    clock.now += IN_FLIGHT_SECONDS + 1
    assert not await deliveries.claim("1")  # handled: remembered for an hour
    clock.now += 3600
    assert await deliveries.claim("1")


def test_the_settings_have_defaults_and_name_a_bad_value() -> None:
    assert DeliverySettings.from_env({}) == DeliverySettings()
    given = DeliverySettings.from_env(
        {
            "CHANNEL_DEDUP_SECONDS": "600",
            "CHANNEL_DEDUP_SIZE": "50",
            "CHANNEL_STOP_SECONDS": "5",
            "REDIS_URL": "redis://r:6379/2",
            "LOCK_STORE_PREFIX": "sitea",
        }
    )
    assert given == DeliverySettings(600, 50, 5.0, "redis://r:6379/2", "sitea")
    with pytest.raises(ValueError, match="CHANNEL_DEDUP_SIZE"):
        DeliverySettings.from_env({"CHANNEL_DEDUP_SIZE": "many"})
    with pytest.raises(ValueError, match="CHANNEL_STOP_SECONDS"):
        DeliverySettings.from_env({"CHANNEL_STOP_SECONDS": "-1"})


@pytest.mark.redis
async def test_with_redis_an_id_claimed_by_one_server_is_a_duplicate_on_another() -> None:
    prefix = f"test{uuid.uuid4().hex[:8]}"
    settings = DeliverySettings(remember_seconds=600, redis_url=REDIS, key_prefix=prefix)
    one, other = Deliveries("whatsapp", settings), Deliveries("whatsapp", settings)
    client = Redis.from_url(REDIS)
    try:
        assert await one.claim("wamid.1")
        in_flight = client.ttl(f"{prefix}:delivery:whatsapp:wamid.1")
        assert not await other.claim("wamid.1")  # in flight on the first server
        await one.release("wamid.1")  # which failed on it
        assert await other.claim("wamid.1")  # the retry, on the second, is handled
        await other.done("wamid.1")
        done = client.ttl(f"{prefix}:delivery:whatsapp:wamid.1")
        assert not await one.claim("wamid.1")
    finally:
        for key in client.keys(f"{prefix}:*"):
            client.delete(key)
        await one.close()
        await other.close()

    assert 0 < in_flight <= IN_FLIGHT_SECONDS
    assert IN_FLIGHT_SECONDS < done <= 600


async def test_when_redis_cannot_be_reached_the_memory_decides(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = DeliverySettings(redis_url=f"redis://127.0.0.1:{port}/0")
    deliveries = Deliveries("slack", settings)
    answers: List[bool] = []

    with caplog.at_level(logging.WARNING, logger="channels.deliveries"):
        answers.append(await deliveries.claim("Ev1"))  # not dropped for want of Redis
        answers.append(await deliveries.claim("Ev1"))
        await deliveries.done("Ev1")
        answers.append(await deliveries.claim("Ev2"))
    await deliveries.close()

    assert answers == [True, False, True]
    assert [r.getMessage() for r in caplog.records] == [
        "slack: Redis cannot be reached (ConnectionError); deliveries are recognised by "
        "this process alone until it is back"
    ]
