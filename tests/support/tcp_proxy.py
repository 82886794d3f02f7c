"""A TCP proxy a test can switch on and off, to take a service away from a server under test
and give it back (the machine's own service is left running)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Coroutine, Optional, Set


class TcpProxy:
    """Forwards ``127.0.0.1:<port>`` to ``target_host:target_port`` while it is up.

    Down, nothing listens on the port (connections are refused) and every forwarded
    connection has been cut, as when the service stops. Held, connections stay open but
    nothing passes either way, as when the service stalls.
    """

    def __init__(self, port: int, target_host: str, target_port: int) -> None:
        self.port = port
        self.target = (target_host, target_port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server: Optional[asyncio.base_events.Server] = None
        self._writers: Set[asyncio.StreamWriter] = set()
        self._passing = asyncio.Event()
        self._passing.set()

    def _run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    def up(self) -> None:
        """Start forwarding."""
        self._run(self._up())

    def down(self) -> None:
        """Stop listening and cut every forwarded connection."""
        self._run(self._down())

    def hold(self) -> None:
        """Let nothing pass on the open connections until :meth:`release`."""
        self._run(self._set_passing(False))

    def release(self) -> None:
        """Pass what was held, and the rest."""
        self._run(self._set_passing(True))

    def close(self) -> None:
        self.down()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _up(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def _set_passing(self, passing: bool) -> None:
        if passing:
            self._passing.set()
        else:
            self._passing.clear()

    async def _down(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            target_reader, target_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, target_writer))
        await asyncio.gather(self._pipe(reader, target_writer), self._pipe(target_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self._passing.wait()
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            writer.transport.abort()
