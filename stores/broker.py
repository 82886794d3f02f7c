"""The event broker: none by default, RabbitMQ when ``EVENT_BROKER_URL`` is set.

Every conversation event then also goes to a RabbitMQ queue (``EVENT_BROKER_QUEUE``), for
analytics, in Rasa's Pika broker's format: one persistent JSON message per event (the
event's ``as_dict()`` plus ``sender_id``) through the fanout exchange ``rasa-exchange`` to a
durable queue, so any consumer written for Rasa reads it.

What differs from Rasa's own broker is when and how it publishes, so that replies do not
pay for it (``python -m bench.broker`` measures both):

- Rasa's broker starts a task per event at once, each taking a deep copy of the event for
  a debug log line; this one collects the events of a turn and publishes them together
  after the reply has been written, in one task, without the copy.
- The tracker store hands over the events it has just committed (``stores/tracker.py``)
  instead of Rasa loading the whole conversation a second time to find the new ones; so
  an event is published once it is safely stored, and once, even when the save is retried.
- Events that cannot be published (RabbitMQ away, or not confirming within
  ``CONFIRM_TIMEOUT_S``) are kept, up to ``EVENT_BROKER_BACKLOG`` (100,000 by default, the
  oldest dropped with a warning beyond), and published when the connection comes back;
  also those whose failure is only known after the reconnection published the others
  (they are tried again every ``KEPT_RETRY_S`` while the connection works). An event
  whose confirmation a cut swallowed may so reach the queue twice, never not at all.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any, Deque, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from rasa.core.brokers.broker import EventBroker
from rasa.core.brokers.pika import PikaEventBroker
from rasa.utils.endpoints import EndpointConfig

from stores.settings import DEFAULT_BACKLOG, BrokerSettings

logger = logging.getLogger(__name__)

# How long after the first event of a batch the batch is published. 0: at the event loop's
# next round, which comes once the turn's handler lets go of the loop, after it has written
# the reply (the tracker store saves at the very end of a turn, and nothing between the
# save and the reply waits on the network: the lock stores are synchronous); publishing
# then uses the pause before the visitor's next message (bench/broker.py measured a
# longer delay, 5 ms, to land in the next turn instead: +2 ms at p50 back to back).
FLUSH_DELAY_S = 0.0
# Waits between attempts to reach RabbitMQ: 1 s, doubling up to 30 s.
FIRST_RETRY_DELAY_S = 1.0
MAX_RETRY_DELAY_S = 30.0
# How long a batch waits for RabbitMQ's confirmations before its events are kept for later
# (a connection that RabbitMQ blocks, low on memory or disk, confirms nothing meanwhile).
CONFIRM_TIMEOUT_S = 30.0
# How often kept events are tried again while the connection works.
KEPT_RETRY_S = 1.0
# How long the server's start waits for RabbitMQ before going on without it.
FIRST_CONNECT_WAIT_S = 5.0

Event = Dict[str, Any]
Headers = Optional[Dict[str, str]]


#: RabbitMQ's ports, plain and over TLS, when the URL names none.
DEFAULT_PORTS = {"amqp": 5672, "amqps": 5671}


def pika_config(url: str, queue: str, backlog: int = DEFAULT_BACKLOG) -> EndpointConfig:
    """Rasa's Pika broker settings for an ``amqp://`` or ``amqps://`` URL, kept whole.

    Rasa's broker connects with the URL it is given as its host when that starts with
    "amqp": its scheme (``amqps``: TLS), virtual host and query reach RabbitMQ as written.
    The host it is given (and logs) carries no password: the credentials, still
    percent-encoded as in the URL, are its user name and password, which it puts back
    into the URL it connects with.

    Raises:
        ValueError: naming ``EVENT_BROKER_URL``, when it is not an amqp:// or amqps:// URL
            with a host.
    """
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(
            "EVENT_BROKER_URL must look like amqp://user:password@host:5672/ (or amqps:// for TLS)"
        )
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    host = f"{parts.scheme}://{parts.hostname}:{port}{parts.path}" + (
        f"?{parts.query}" if parts.query else ""
    )
    userinfo = parts.netloc.rsplit("@", 1)[0] if "@" in parts.netloc else ""
    username, _, password = userinfo.partition(":")
    return EndpointConfig(
        url=host,
        username=username or "guest",
        password=password or "guest",
        port=port,
        queues=[queue],
        # One attempt each time ClinicPikaBroker tries (it tries again, forever, in the
        # background, and does the waiting; once connected, aio_pika reconnects by itself).
        connection_attempts=1,
        retry_delay_in_seconds=0,
        backlog=backlog,
    )


class ClinicPikaBroker(PikaEventBroker):
    """Rasa's Pika broker, publishing a turn's events together after the reply."""

    def __init__(
        self,
        *args: Any,
        backlog: int = DEFAULT_BACKLOG,
        flush_delay_s: float = FLUSH_DELAY_S,
        confirm_timeout_s: float = CONFIRM_TIMEOUT_S,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._unpublished_events: Deque[Event] = deque(maxlen=backlog)
        self._flush_delay_s = flush_delay_s
        self._confirm_timeout_s = confirm_timeout_s
        self._retrying: Optional[asyncio.Task] = None
        self._pending: List[Tuple[Event, Headers]] = []
        self._flush: Optional[asyncio.TimerHandle] = None
        self._connecting: Optional[asyncio.Task] = None

    async def connect(self) -> None:
        """Connect (Rasa's), then publish what was kept meanwhile."""
        await super().connect()
        self._publish_unpublished_messages()

    async def connect_in_background(self, wait_s: float = 0.0) -> None:
        """Connect, waiting at most ``wait_s`` for it; after that, go on trying in the
        background, the events kept meanwhile.

        Rasa's own broker makes the server wait for RabbitMQ and fail to start without
        it: analytics being down must not take the clinic's assistant down.
        """
        self._connecting = self._loop.create_task(self._keep_connecting())
        if wait_s > 0:
            await asyncio.wait({self._connecting}, timeout=wait_s)

    async def _keep_connecting(self) -> None:
        delay = FIRST_RETRY_DELAY_S
        while True:
            try:
                await self.connect()
                return
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning(
                    "Event broker: RabbitMQ %s unreachable (%s); %d events kept, "
                    "trying again in %.0f s.",
                    self.host,
                    type(error).__name__,
                    len(self._unpublished_events) + len(self._pending),
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_DELAY_S)

    def publish(self, event: Event, headers: Headers = None) -> None:
        """Queue ``event``; it is published with the others of its turn, after the reply."""
        self._pending.append((event, headers))
        if self._flush is None:
            self._flush = self._loop.call_later(self._flush_delay_s, self._start_batch)

    def _start_batch(self) -> None:
        self._flush = None
        batch, self._pending = self._pending, []
        task = self._loop.create_task(self._publish_batch(batch))
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)

    def _can_publish(self) -> bool:
        """Whether the exchange's channel is open (aio_pika's robust connection is not
        closed while it reconnects, but the channel it had is)."""
        channel = getattr(self._exchange, "channel", None)
        return self.is_ready() and channel is not None and not channel.is_closed

    async def _publish_batch(self, batch: List[Tuple[Event, Headers]]) -> None:
        """Publish ``batch`` in order; keep what RabbitMQ did not confirm in time."""
        exchange = self._exchange
        if exchange is None or not self._can_publish():
            self._keep([event for event, _ in batch])
            return
        try:
            # aio_pika's Exchange.publish, without waiting for each message to reach the
            # socket before queueing the next: a third less CPU a message. aiormq's channel
            # lock hands the messages to the socket in the order they were started.
            channel = exchange.channel
            messages = [self._message(event, headers) for event, headers in batch]
            publishing = [
                asyncio.ensure_future(
                    channel.basic_publish(
                        message.body,
                        exchange=exchange.name,
                        routing_key="",
                        properties=message.properties,
                        mandatory=True,
                        wait=False,
                    )
                )
                for message in messages
            ]
        except Exception as error:  # the channel closed meanwhile
            logger.warning("Event broker: %s; %d events kept.", type(error).__name__, len(batch))
            self._keep([event for event, _ in batch])
            return
        confirmed, _ = await asyncio.wait(publishing, timeout=self._confirm_timeout_s)
        for publish in publishing:
            if publish not in confirmed:
                publish.cancel()
        failed = [
            event
            for (event, _), publish in zip(batch, publishing, strict=True)
            if publish not in confirmed or publish.cancelled() or publish.exception() is not None
        ]
        if failed:
            logger.warning(
                "Event broker: %d of %d events not confirmed by RabbitMQ; kept for later.",
                len(failed),
                len(batch),
            )
            self._keep(failed)

    def _keep(self, events: List[Event]) -> None:
        if not self.should_keep_unpublished_messages:  # `rasa export`: it reports failures
            logger.error("Event broker: %d events not published.", len(events))
            return
        room = (self._unpublished_events.maxlen or 0) - len(self._unpublished_events)
        if len(events) > room:
            logger.warning(
                "Event broker: backlog full (%d events), the oldest %d dropped.",
                self._unpublished_events.maxlen,
                len(events) - room,
            )
        self._unpublished_events.extend(events)
        if self._retrying is None or self._retrying.done():
            self._retrying = self._loop.create_task(self._retry_kept())

    async def _retry_kept(self) -> None:
        """Publish the kept events as soon as the connection works.

        aio_pika's reconnection publishes the events kept until then (Rasa's reconnect
        callback), once; a batch that was under way on the old channel may fail after
        that, and its events would otherwise wait for the next cut.
        """
        while self._unpublished_events:
            await asyncio.sleep(KEPT_RETRY_S)
            if self._unpublished_events and self._can_publish():
                logger.info(
                    "Event broker: publishing %d kept events.", len(self._unpublished_events)
                )
                self._publish_unpublished_messages()

    async def flush(self) -> None:
        """Publish what is queued now and wait for every publish under way."""
        if self._flush is not None:
            self._flush.cancel()
            self._start_batch()
        if self._background_tasks:
            await asyncio.gather(*list(self._background_tasks), return_exceptions=True)

    async def close(self) -> None:
        """Publish what is queued, then close the connection."""
        for task in (self._connecting, self._retrying):
            if task is not None and not task.done():
                task.cancel()
        if self.is_ready():
            await self.flush()
        await super().close()


class ClinicEventBroker(EventBroker):
    """Creates :class:`ClinicPikaBroker` when ``EVENT_BROKER_URL`` is set; otherwise none."""

    @classmethod
    async def from_endpoint_config(
        cls,
        broker_config: EndpointConfig,
        event_loop: Optional[asyncio.AbstractEventLoop] = None,
        env: Optional[Mapping[str, str]] = None,
    ) -> Optional[EventBroker]:
        """The broker for the environment's settings, or None."""
        settings = BrokerSettings.from_env(env)
        if not settings.url:
            logger.info("Event broker: none (EVENT_BROKER_URL is empty)")
            return None
        config = pika_config(settings.url, settings.queue, settings.backlog)
        logger.info(
            "Event broker: RabbitMQ %s, queue %s",
            config.url,
            settings.queue,
        )
        created = ClinicPikaBroker(config.url, **config.kwargs, event_loop=event_loop)
        await created.connect_in_background(wait_s=FIRST_CONNECT_WAIT_S)
        return created
