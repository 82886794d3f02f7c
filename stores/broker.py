"""The event broker: none by default, RabbitMQ when ``EVENT_BROKER_URL`` is set.

Every conversation event then also goes to a RabbitMQ queue (``EVENT_BROKER_QUEUE``), for
analytics, through Rasa's Pika broker. Rasa publishes in the background, so replies do not
wait for RabbitMQ, and it keeps unpublished events while RabbitMQ is away.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Mapping, Optional
from urllib.parse import unquote, urlsplit

from rasa.core.brokers.broker import EventBroker
from rasa.core.brokers.pika import PikaEventBroker
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

DEFAULT_QUEUE = "clinic_events"


def pika_config(url: str, queue: str) -> EndpointConfig:
    """Rasa's Pika broker settings for an ``amqp://user:password@host:port/`` URL.

    Raises:
        ValueError: when the URL is not an amqp:// URL with a host.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("amqp", "amqps") or not parts.hostname:
        raise ValueError("EVENT_BROKER_URL must look like amqp://user:password@host:5672/")
    return EndpointConfig(
        url=parts.hostname,
        username=unquote(parts.username or "guest"),
        password=unquote(parts.password or "guest"),
        port=parts.port or 5672,
        queues=[queue],
        # A RabbitMQ that is down must not stop the assistant: retry for a minute, keep
        # the events meanwhile.
        connection_attempts=12,
        retry_delay_in_seconds=5,
    )


class ClinicEventBroker(EventBroker):
    """Creates Rasa's Pika broker when ``EVENT_BROKER_URL`` is set; otherwise no broker."""

    @classmethod
    async def from_endpoint_config(
        cls,
        broker_config: EndpointConfig,
        event_loop: Optional[asyncio.AbstractEventLoop] = None,
        env: Optional[Mapping[str, str]] = None,
    ) -> Optional[EventBroker]:
        """Rasa's Pika broker for the environment's settings, or None."""
        env = os.environ if env is None else env
        url = env.get("EVENT_BROKER_URL", "").strip()
        if not url:
            logger.info("Event broker: none (EVENT_BROKER_URL is empty)")
            return None
        queue = env.get("EVENT_BROKER_QUEUE", "").strip() or DEFAULT_QUEUE
        config = pika_config(url, queue)
        logger.info(
            "Event broker: RabbitMQ %s:%s, queue %s", config.url, config.kwargs["port"], queue
        )
        return await PikaEventBroker.from_endpoint_config(config, event_loop)
