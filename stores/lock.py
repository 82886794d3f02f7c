"""The lock store: in memory by default, Redis when ``REDIS_URL`` is set.

Rasa handles one conversation's messages one at a time with a lock per conversation. In
memory that holds inside one server process; several processes (``SANIC_WORKERS`` above 1,
or several servers behind one address) need the locks in Redis.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis import Redis

from stores.settings import StoreSettings

logger = logging.getLogger(__name__)


class ClinicLockStore(LockStore):
    """Creates Rasa's Redis lock store when ``REDIS_URL`` is set, else its in-memory one."""

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None, **_: Any) -> LockStore:
        """Rasa's own lock store for the settings (so Rasa's checks see its own class).

        Raises:
            ValueError: ``SANIC_WORKERS`` above 1 without ``REDIS_URL``: the locks would
                not be shared between the workers.
        """
        settings = StoreSettings.from_env()
        if not settings.redis_url:
            if settings.sanic_workers > 1:
                raise ValueError(
                    f"SANIC_WORKERS={settings.sanic_workers} needs REDIS_URL: with locks in "
                    "memory two workers could answer the same conversation at once."
                )
            logger.info("Lock store: in memory (one server process)")
            return InMemoryLockStore()
        options = Redis.from_url(settings.redis_url).connection_pool.connection_kwargs
        logger.info(
            "Lock store: Redis %s:%s/%s, key prefix '%s'",
            options.get("host", "localhost"),
            options.get("port", 6379),
            options.get("db", 0),
            settings.lock_prefix,
        )
        return RedisLockStore(
            host=options.get("host", "localhost"),
            port=int(options.get("port", 6379)),
            db=int(options.get("db", 0)),
            password=options.get("password"),
            use_ssl=settings.redis_url.startswith("rediss://"),
            key_prefix=settings.lock_prefix,
        )
