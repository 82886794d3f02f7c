"""The staff app in the test process: cheap password hashing, a clock the test moves by
hand, its collaborators with two staff accounts (ana and ben), the app served from a thread
on a free port, and a browser-like client of it (cookies, the forms' CSRF tokens)."""

from __future__ import annotations

import asyncio
import html
import re
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Dict, List, Literal, Optional, Tuple, Union

import requests
from argon2 import PasswordHasher
from sanic import Sanic

from launcher.processes import free_port
from staff.accounts import Accounts
from staff.conversations import ConversationStore
from staff.history import History
from staff.security import CookieSigner, SessionStore
from staff.settings import StaffSettings
from staff.web.services import PublisherLike, Services

#: The password of the accounts :func:`staff_services` makes.
PASSWORD = "a long test password"

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


def staff_services(settings: StaffSettings, publisher: PublisherLike) -> Services:
    """The app's collaborators for ``settings``, with the accounts "ana" and "ben" (password
    :data:`PASSWORD`, cheaply hashed) and ``publisher``."""
    accounts = Accounts(
        settings.db, max_failures=settings.max_failures, lockout_seconds=300, hasher=CHEAP_HASHER
    )
    accounts.set_password("ana", PASSWORD)
    accounts.set_password("ben", PASSWORD)
    return Services(
        settings=settings,
        accounts=accounts,
        sessions=SessionStore(settings.db, idle_seconds=3600),
        history=History(settings.db),
        conversations=ConversationStore(settings.store, settings.low_confidence),
        publisher=publisher,
        signer=CookieSigner(settings.signing_key()),
    )


class Staff:
    """A browser-like client of the app: a cookie jar, and the forms' CSRF tokens."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()
        self.token = ""

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        reply = self.http.get(self.url + path, timeout=30, **kwargs)
        found = re.search(r'name="csrf_token" value="([^"]*)"', reply.text)
        if found:
            self.token = found.group(1)
        return reply

    def post(
        self, path: str, data: Dict[str, Any], token: Optional[str] = "page", **kwargs: Any
    ) -> requests.Response:
        data = dict(data)
        if token == "page":
            data["csrf_token"] = self.token
        elif token is not None:
            data["csrf_token"] = token
        return self.http.post(
            self.url + path, data=data, timeout=60, allow_redirects=False, **kwargs
        )

    def login(self, name: str = "ana", password: str = PASSWORD) -> requests.Response:
        self.get("/login")
        return self.post("/login", {"name": name, "password": password, "next": "/"})


#: Elements without an end tag, and those that flow within a line.
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
INLINE = frozenset("a abbr b code em i label small span strong time".split())


def assert_forms_carry_the_token(staff: Staff, path: str) -> None:
    """The page at ``path`` has forms, each posted with ``staff``'s CSRF token."""
    page = staff.get(path)
    assert page.status_code == 200, path
    forms = re.findall(r"<form\b.*?</form>", page.text, re.DOTALL)
    assert forms, path
    for form in forms:
        assert 'method="post"' in form, path
        assert f'name="csrf_token" value="{staff.token}"' in form, path


class _ShownText(HTMLParser):
    """The text a browser shows: without what is ``hidden`` or in a ``<template>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: List[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        if tag in VOID:
            return
        if self.skipping:
            self.skipping += 1
        elif tag == "template" or any(name == "hidden" for name, _ in attrs):
            self.skipping = 1
        elif tag not in INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.skipping:
            self.skipping -= 1
        elif tag not in INLINE:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def shown_text(reply: requests.Response) -> str:
    """The page's text as a browser shows it: hidden parts and templates left out, inline
    tags joined, spaces collapsed."""
    parser = _ShownText()
    parser.feed(reply.text)
    return " ".join("".join(parser.parts).split())


def text_of(reply: requests.Response) -> str:
    """The page's text, tags removed, spaces collapsed, entities decoded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", reply.text)).split())


class IdlePublisher:
    """A publisher for the tests that publish nothing (the live chat's)."""

    def start(self, who: str) -> str:
        raise AssertionError("nothing is published in this test")

    def status(self, job_id: Optional[str] = None) -> Dict[str, Any]:
        return {"id": None, "state": "none", "percent": 0, "stage": "Nothing yet."}

    def published(self) -> List[Any]:
        return []

    def rollback(self, published_id: str, who: str) -> Any:
        raise AssertionError("nothing is rolled back in this test")
