"""When the live chat looks at the tracker store again: as soon as a Rasa server says it
stored events, or after a while.

On PostgreSQL the tracker store signals every save (``NOTIFY``, ``stores/notify.py``); a
:class:`StoreWakeup` listens on the site's channel with a connection of its own, read on the
event loop (no thread, no polling), and wakes the live chat's task at once. Between signals
the task still looks every :data:`LISTENING_LOOK_SECONDS`, a safety net for a signal lost
while the connection was being made again. When the listener is not connected (the embedded
SQLite file, which has no signal, or PostgreSQL unreachable) the task looks every
``STAFF_LIVE_POLL_SECONDS`` instead, and the listener tries to connect again every
:data:`RECONNECT_SECONDS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Callable, Optional

import psycopg2
import sqlalchemy as sa
from psycopg2 import sql
from psycopg2.extensions import ISOLATION_LEVEL_AUTOCOMMIT

from stores import notify
from stores.settings import StoreSettings

logger = logging.getLogger(__name__)

#: How often the task looks anyway while the listener is connected.
LISTENING_LOOK_SECONDS = 5.0
#: How long the listener waits before connecting again after a failure.
RECONNECT_SECONDS = 2.0

#: Opens a new database connection (psycopg2's), or raises when it cannot.
Connect = Callable[[], Any]


class StoreWakeup:
    """Wakes the live chat's task when events were stored.

    Args:
        connect: opens a psycopg2 connection to the tracker store, or None when the store
            does not signal (SQLite).
        channel: the channel the store signals on.
        poll_seconds: how often the task looks while the listener is not connected.
    """

    def __init__(self, connect: Optional[Connect], channel: str, poll_seconds: float) -> None:
        self._connect = connect
        self.channel = channel
        self.poll_seconds = poll_seconds
        self._signalled = asyncio.Event()
        self._connection: Any = None
        #: The connection's socket, kept: psycopg2 no longer tells it once the connection
        #: failed, and the loop must stop watching it before another connection reuses it.
        self._fd: Optional[int] = None
        self._keeper: Optional[asyncio.Task[None]] = None

    @property
    def listening(self) -> bool:
        """Whether signals are being heard now."""
        return self._connection is not None

    async def start(self) -> None:
        """Listen (when the store signals), and keep listening until :meth:`stop`."""
        if self._connect is None or self._keeper is not None:
            return
        self._keeper = asyncio.get_running_loop().create_task(self._keep_listening())

    async def stop(self) -> None:
        """Stop listening and close the connection."""
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
            self._keeper = None
        self._drop()

    async def wait(self) -> bool:
        """Wait for a signal or the time between looks; whether a signal came."""
        timeout = LISTENING_LOOK_SECONDS if self.listening else self.poll_seconds
        try:
            await asyncio.wait_for(self._signalled.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        self._signalled.clear()
        return True

    async def _keep_listening(self) -> None:
        assert self._connect is not None
        loop = asyncio.get_running_loop()
        while True:
            if self._connection is None:
                try:
                    connection = await loop.run_in_executor(None, self._connect)
                    self._listen(connection)
                except Exception as error:  # the database away: poll, try again later
                    logger.warning("live chat: not listening to the tracker store (%s)", error)
            await asyncio.sleep(RECONNECT_SECONDS)

    def _listen(self, connection: Any) -> None:
        connection.set_isolation_level(ISOLATION_LEVEL_AUTOCOMMIT)
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
        self._connection, self._fd = connection, connection.fileno()
        asyncio.get_running_loop().add_reader(self._fd, self._read)
        # Events stored while nobody listened: the task looks once more at once.
        self._signalled.set()

    def _read(self) -> None:
        """The connection has something to read: the signals (or its end)."""
        connection = self._connection
        if connection is None:
            return
        try:
            connection.poll()
            if connection.notifies:
                connection.notifies.clear()
                self._signalled.set()
                return
            # Readable with no signal: most often the connection's end, which psycopg2's
            # poll does not report; a query does (at once, on a connection that ended). A
            # signal that was still arriving is read with the query's answer.
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            if connection.notifies:
                connection.notifies.clear()
                self._signalled.set()
        except Exception as error:
            logger.warning("live chat: the tracker store's signals stopped (%s)", error)
            self._drop()
            self._signalled.set()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        fd, self._fd = self._fd, None
        if fd is not None:
            asyncio.get_running_loop().remove_reader(fd)
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()


def store_wakeup(store: StoreSettings, poll_seconds: float) -> StoreWakeup:
    """The wakeup of the tracker store ``store`` describes: listening on PostgreSQL, only
    the time between looks on SQLite."""
    if not notify.signals(store):
        return StoreWakeup(None, notify.CHANNEL, poll_seconds)
    url = sa.engine.make_url(store.database_url).set(drivername="postgresql")
    dsn = url.render_as_string(hide_password=False)

    def connect() -> Any:
        # Keepalives: a connection that silently went away is noticed within a minute.
        return psycopg2.connect(
            dsn, connect_timeout=5, keepalives_idle=30, keepalives_interval=10, keepalives_count=3
        )

    return StoreWakeup(connect, notify.channel(store), poll_seconds)
