"""A reader of a server-sent event stream (``text/event-stream``), as a browser's
``EventSource`` reads it, for the tests of the staff app's live chat: a thread reads the
stream and queues each event; the test waits for the next one of a name."""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import requests


@dataclass(frozen=True)
class ServerEvent:
    """One event: its name, its data (JSON read) and its id."""

    name: str
    data: Any
    id: Optional[str] = None


class EventStream:
    """The events of ``url``, read with ``session``'s cookies.

    Raises:
        AssertionError: the server did not answer 200 with ``text/event-stream``.
    """

    def __init__(
        self, session: requests.Session, url: str, headers: Optional[Dict[str, str]] = None
    ) -> None:
        self.reply = session.get(
            url,
            stream=True,
            timeout=(10, 60),
            headers={"Accept": "text/event-stream", **(headers or {})},
        )
        self.events: queue.Queue[Optional[ServerEvent]] = queue.Queue()
        self.ended = threading.Event()
        self.skipped: List[ServerEvent] = []
        if self.reply.status_code == 200:
            threading.Thread(target=self._read, daemon=True).start()

    @property
    def headers(self) -> Any:
        return self.reply.headers

    def _read(self) -> None:
        name, event_id = "message", None
        data: List[str] = []
        try:
            for raw in self.reply.iter_lines(decode_unicode=True):
                line = raw or ""
                if not line:
                    if data:
                        self.events.put(ServerEvent(name, json.loads("\n".join(data)), event_id))
                    name, data, event_id = "message", [], None
                elif line.startswith(":"):
                    continue
                else:
                    key, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if key == "event":
                        name = value
                    elif key == "data":
                        data.append(value)
                    elif key == "id":
                        event_id = value
        except (requests.RequestException, ValueError, AttributeError):
            pass
        finally:
            self.ended.set()
            self.events.put(None)

    def next(self, name: str, within: float = 1.0) -> ServerEvent:
        """The next event called ``name`` within ``within`` seconds; events of other names
        that come first are kept for a later call.

        Raises:
            AssertionError: none came (or the stream ended).
        """
        for index, event in enumerate(self.skipped):
            if event.name == name:
                return self.skipped.pop(index)
        deadline = time.monotonic() + within
        while True:
            try:
                found = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no '{name}' event within {within} s") from None
            if found is None:
                self.events.put(None)
                raise AssertionError(f"the stream ended before a '{name}' event")
            if found.name == name:
                return found
            self.skipped.append(found)

    def close(self) -> None:
        """Hang up, as a browser does when the page goes: the socket is shut down first
        (closing the response alone would wait for the reader thread's next line)."""
        fp = getattr(getattr(self.reply.raw, "_fp", None), "fp", None)
        sock = getattr(getattr(fp, "raw", None), "_sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.ended.wait(5)
        self.reply.close()
