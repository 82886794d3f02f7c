"""Deliveries a channel has received, so that a platform's redelivery is not answered twice.

A platform delivers a webhook again when it thinks the first delivery failed: Slack retries
(``X-Slack-Retry-Num``) when it got no 200 within 3 seconds, Meta and Telegram retry until
they get one, and a proxy's 502 or a cut connection can hide a delivery the server did
receive. Each message carries the platform's id: Slack's ``event_id``, Messenger's ``mid``,
WhatsApp's ``wamid``, Telegram's ``update_id``, Twilio's ``MessageSid``. The webhook
(``channels/webhook.py``) claims the id of each message before handling it:

- a new id is claimed (in flight); once the message is handled it is marked done, and if
  handling failed (or the server stopped first) it is released, so that the platform's
  retry of it is handled;
- an id in flight or done is a duplicate: acknowledged with the usual 200, not handled.

The ids are kept in memory, per process: the newest ``CHANNEL_DEDUP_SIZE`` of each channel,
a handled one for ``CHANNEL_DEDUP_SECONDS`` (``channels/settings.py``). With ``REDIS_URL``
they are kept in Redis too (``SET NX`` with an expiry, under
``<LOCK_STORE_PREFIX>:delivery:<channel>:<id>``), shared by every server and worker of the
deployment, so a retry that reaches another server is recognised as well. If Redis cannot
be reached the memory decides: a message is never dropped because its id could not be
checked.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Optional

from redis import asyncio as aioredis
from redis.exceptions import RedisError

from channels.settings import DeliverySettings

logger = logging.getLogger(__name__)

#: Seconds an id stays claimed in Redis while its message is handled: if the server dies
#: meanwhile, a retry after this is handled elsewhere. Handling a message takes seconds, at
#: most about ``DATABASE_WAIT_SECONDS`` plus the platform's API time limit.
IN_FLIGHT_SECONDS = 120
#: Seconds a call to Redis may take before the memory decides alone.
REDIS_TIMEOUT_SECONDS = 2.0


class RecentIds:
    """At most ``size`` ids, each remembered until its expiry; the oldest forgotten first."""

    def __init__(self, size: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.clock = clock
        self._expiries: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._expiries)

    def __contains__(self, key: object) -> bool:
        expiry = self._expiries.get(key) if isinstance(key, str) else None
        return expiry is not None and expiry > self.clock()

    def add(self, key: str, seconds: float) -> bool:
        """Remember ``key`` for ``seconds`` unless it is remembered already; whether it was
        new."""
        if key in self:
            return False
        self.put(key, seconds)
        return True

    def put(self, key: str, seconds: float) -> None:
        """Remember ``key`` for ``seconds`` from now (again, if it was)."""
        self._expiries[key] = self.clock() + seconds
        self._expiries.move_to_end(key)
        while len(self._expiries) > self.size:
            self._expiries.popitem(last=False)

    def forget(self, key: str) -> None:
        """Forget ``key``."""
        self._expiries.pop(key, None)


class Deliveries:
    """The ids of one channel's deliveries: claimed, done or released (see the module)."""

    def __init__(self, channel: str, settings: DeliverySettings) -> None:
        self.channel = channel
        self.settings = settings
        self.recent = RecentIds(settings.remember_count)
        self._redis: Optional[aioredis.Redis] = None
        self._redis_failing = False

    def key(self, delivery_id: str) -> str:
        """The Redis key of a delivery."""
        return f"{self.settings.key_prefix}:delivery:{self.channel}:{delivery_id}"

    async def claim(self, delivery_id: str) -> bool:
        """Claim a delivery for handling; False if it was received before (in flight or
        done), here or, with Redis, on another server."""
        # In this process's memory until it is settled (done or released); in Redis only
        # for IN_FLIGHT_SECONDS, in case this server dies meanwhile.
        if not self.recent.add(delivery_id, self.settings.remember_seconds):
            return False

        async def set_if_new(redis: aioredis.Redis) -> bool:
            key = self.key(delivery_id)
            return bool(await redis.set(key, "in flight", nx=True, ex=IN_FLIGHT_SECONDS))

        claimed = await self._shared(set_if_new)
        if claimed is None:  # no Redis, or it cannot be reached: the memory decides
            return True
        if not claimed:
            # Another server has it; if that one fails and releases it, a retry is ours.
            self.recent.forget(delivery_id)
            return False
        return True

    async def done(self, delivery_id: str) -> None:
        """The delivery's message was handled: its redeliveries are duplicates."""
        seconds = self.settings.remember_seconds
        self.recent.put(delivery_id, seconds)
        await self._shared(lambda redis: redis.set(self.key(delivery_id), "done", ex=seconds))

    async def release(self, delivery_id: str) -> None:
        """The delivery's message was not handled: a redelivery of it will be."""
        self.recent.forget(delivery_id)
        await self._shared(lambda redis: redis.delete(self.key(delivery_id)))

    async def close(self) -> None:
        """Close the connections to Redis, if any."""
        if self._redis is not None:
            redis, self._redis = self._redis, None
            await redis.close()
            await redis.connection_pool.disconnect()

    async def _shared(self, call: Callable[[aioredis.Redis], Awaitable[Any]]) -> Optional[Any]:
        """``call`` on Redis: its answer, or None without Redis or when it cannot be reached."""
        if not self.settings.redis_url:
            return None
        if self._redis is None:
            self._redis = aioredis.Redis.from_url(
                self.settings.redis_url,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            )
        try:
            answer = await call(self._redis)
        except (RedisError, OSError) as error:
            if not self._redis_failing:
                logger.warning(
                    "%s: Redis cannot be reached (%s); deliveries are recognised by this "
                    "process alone until it is back",
                    self.channel,
                    type(error).__name__,
                )
            self._redis_failing = True
            return None
        if self._redis_failing:
            logger.info(
                "%s: Redis is back; deliveries are recognised by every server", self.channel
            )
            self._redis_failing = False
        return answer
