"""A stand-in for the Rasa server's live-chat routes (issue 17, Part 2:
``POST /webhooks/handoff/take|message|resume``, ``GET /webhooks/handoff/health``), for the
staff app's tests.

It answers as the contract says, and does what the real routes do to the conversation:
it stores the events of a take, a message and a hand-back in the tracker store (Rasa's
SQLTrackerStore, the file the staff app reads), so that the staff app sees them as it
would see a Rasa server's. It records every call (route, JSON body, Authorization header);
:meth:`HandoffStub.answer_next` makes the next call of a route answer something else (a
409, a 500), :meth:`HandoffStub.stop` makes it unreachable.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from aiohttp import web
from rasa.shared.core.events import Event

from launcher.processes import free_port
from tests.support.stored_conversations import (
    append_events,
    handed_back,
    handoff_store,
    staff_joined,
    staff_wrote,
)

PREFIX = "/webhooks/handoff"


@dataclass
class Call:
    """One request the stub received."""

    route: str
    body: Dict[str, Any]
    authorization: str


@dataclass
class HandoffStub:
    """The stub, serving on ``url`` from a thread of its own."""

    tracker_db: Path
    token: str
    url: str = ""
    calls: List[Call] = field(default_factory=list)
    forced: Dict[str, Tuple[int, Dict[str, Any]]] = field(default_factory=dict)
    _loop: Optional[asyncio.AbstractEventLoop] = None
    _runner: Optional[web.AppRunner] = None
    _thread: Optional[threading.Thread] = None

    def answer_next(self, route: str, status: int, body: Dict[str, Any]) -> None:
        """The next call of ``route`` gets ``status`` and ``body``, and changes nothing."""
        self.forced[route] = (status, body)

    def routes(self, route: str) -> List[Call]:
        return [call for call in self.calls if call.route == route]

    async def _handle(self, request: web.Request) -> web.Response:
        route = request.match_info["route"]
        try:
            body = await request.json()
        except ValueError:
            body = {}
        authorization = request.headers.get("Authorization", "")
        self.calls.append(Call(route, body if isinstance(body, dict) else {}, authorization))
        if not self.token:
            return web.json_response({"error": "not found"}, status=404)
        if authorization != f"Bearer {self.token}":
            return web.json_response({"error": "unauthorised"}, status=401)
        if route in self.forced:
            status, answer = self.forced.pop(route)
            return web.json_response(answer, status=status)
        if route == "health":
            return web.json_response({"status": "ok"})
        return await self._act(route, body)

    async def _act(self, route: str, body: Dict[str, Any]) -> web.Response:
        sender, staff = str(body.get("sender_id") or ""), str(body.get("staff") or "")
        store = handoff_store(self.tracker_db)
        try:
            tracker = await store.retrieve(sender)
            state = tracker.get_slot("handoff") if tracker else None
            holder = tracker.get_slot("handoff_staff") if tracker else None
            paused = bool(tracker and tracker.is_paused())
            events: List[Event] = []
            if route == "take":
                if paused and state == "taken":
                    return web.json_response({"error": "taken", "staff": holder}, status=409)
                if not paused or state != "waiting":
                    return web.json_response({"error": "not waiting"}, status=404)
                events = staff_joined(staff, time.time())
                answer: Dict[str, Any] = {"state": "taken", "staff": staff}
            elif route in ("message", "resume"):
                if not paused or state != "taken" or holder != staff:
                    return web.json_response(
                        {"error": "not taken by you", "staff": holder}, status=409
                    )
                if route == "message":
                    text = str(body.get("text") or "")
                    if not 1 <= len(text.strip()) <= 2000:
                        return web.json_response({"error": "1 to 2000 characters"}, status=400)
                    events = staff_wrote(staff, text, time.time())
                else:
                    events = handed_back(time.time())
                answer = {"state": "ok"}
            else:
                return web.json_response({"error": "no such route"}, status=404)
            await append_events(store, sender, events)
            return web.json_response(answer)
        finally:
            store.engine.dispose()

    def start(self) -> HandoffStub:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        started = threading.Event()
        loop = asyncio.new_event_loop()
        self._loop = loop

        def run() -> None:
            asyncio.set_event_loop(loop)
            app = web.Application()
            app.router.add_post(PREFIX + "/{route}", self._handle)
            app.router.add_get(PREFIX + "/{route}", self._handle)
            self._runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(self._runner.setup())
            loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", port).start())
            started.set()
            loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        assert started.wait(30), "the stub did not start"
        return self

    def stop(self) -> None:
        """Stop serving: its address then refuses connections."""
        if self._loop is None or self._runner is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(30)
        self._loop = None
