"""The staff app in the test process: cheap password hashing, a clock the test moves by
hand, and the app served from a thread on a free port."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import Any, List, Literal, Union

import requests
from argon2 import PasswordHasher
from sanic import Sanic

from launcher.processes import free_port

#: argon2id with the least work, so that the tests do not wait on hashing.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class CountingHasher(PasswordHasher):
    """The cheap hasher, counting the passwords it checks. Checks can be held, as argon2's
    slow check holds a real login for a while: all of them at :attr:`gate`, or only the
    next one (:meth:`hold_next`) until :attr:`release` is set."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.checks = 0
        self.gate = threading.Event()
        self.gate.set()
        self.holding = threading.Event()
        self.release = threading.Event()
        self._hold = False
        self._count = threading.Lock()

    def hold_next(self) -> None:
        self._hold = True

    def verify(self, hash: Union[str, bytes], password: Union[str, bytes]) -> Literal[True]:
        with self._count:
            self.checks += 1
            hold, self._hold = self._hold, False
        if hold:
            self.holding.set()
            self.release.wait(timeout=10)
        self.gate.wait(timeout=10)
        return super().verify(hash, password)


class Clock:
    """A clock the test moves by hand (``clock.now += seconds``)."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Served:
    """An app running in a thread of the test process, on 127.0.0.1."""

    url: str
    app: Sanic
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    server: Any = None
    errors: List[BaseException] = field(default_factory=list)


def serve(app: Sanic) -> Served:
    """Serve ``app`` on a free port from a thread; stop it with :func:`stop`."""
    port = free_port()
    loop = asyncio.new_event_loop()
    served = Served(f"http://127.0.0.1:{port}", app, loop, threading.Thread())
    started = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(
                app.create_server(
                    host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
                )
            )
            assert server is not None
            loop.run_until_complete(server.startup())
            loop.run_until_complete(server.before_start())
            loop.run_until_complete(server.after_start())
            served.server = server
        except BaseException as error:
            served.errors.append(error)
            started.set()
            return
        started.set()
        loop.run_forever()

    served.thread = threading.Thread(target=run, daemon=True)
    served.thread.start()
    started.wait(30)
    if served.errors:
        raise served.errors[0]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(served.url + "/health", timeout=2)
            return served
        except requests.RequestException:
            time.sleep(0.05)
    raise RuntimeError("the staff app did not start")


def stop(served: Served) -> None:
    async def close() -> None:
        if served.server is not None:
            await served.server.before_stop()
            await served.server.close()
            await served.server.after_stop()

    future = asyncio.run_coroutine_threadsafe(close(), served.loop)
    future.result(30)
    served.loop.call_soon_threadsafe(served.loop.stop)
    served.thread.join(30)
