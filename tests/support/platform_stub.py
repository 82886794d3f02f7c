"""A local stand-in for the messaging platforms' outgoing APIs.

The Rasa server under test sends its replies to Facebook's Graph API, Slack's Web API,
Telegram's Bot API, Twilio's REST API and WhatsApp's Cloud API at base URLs taken from the
environment; in the tests those point here. The stand-in records every request and answers
with a minimal success body of the platform's shape, so the connectors see what they would,
or with the error a test asked for (:meth:`PlatformStub.refuse`).
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    """One request the stand-in received."""

    method: str
    path: str
    query: Dict[str, List[str]]
    headers: Dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> Dict[str, str]:
        """The body parsed as a form (Twilio's API takes forms)."""
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8")).items()}


def _answer_for(path: str) -> tuple[int, Dict[str, Any]]:
    """A success body shaped like the platform's, picked by the request path."""
    if "/Messages.json" in path:  # Twilio
        return 201, {"sid": "SM00000000000000000000000000000000", "status": "queued"}
    if path.startswith("/bot"):  # Telegram
        return 200, {"ok": True, "result": {"message_id": 1, "date": int(time.time())}}
    if path.endswith("/messages") and not path.endswith("/me/messages"):  # WhatsApp Cloud
        return 200, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.test"}]}
    if path.endswith("/me/messages"):  # Messenger
        return 200, {"recipient_id": "0", "message_id": "mid.test"}
    return 200, {"ok": True, "ts": "1700000000.000100"}  # Slack and anything else


@dataclass
class PlatformStub:
    """A threaded HTTP server on 127.0.0.1 that records what it receives."""

    received: List[Recorded] = field(default_factory=list)
    #: Print each request as it arrives (``python -m tests.support.platform_stub``).
    echo: bool = False
    #: Errors to answer instead of success: which requests, status, body (the first wins).
    refusals: List[Tuple[Callable[[Recorded], bool], int, Dict[str, Any]]] = field(
        default_factory=list
    )
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        """Base URL, without a trailing slash."""
        assert self._server is not None, "start() the stand-in first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self, port: int = 0) -> PlatformStub:
        """Listen on ``port`` (a free one by default) in a background thread."""
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                recorded = Recorded(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                with stub._lock:
                    stub.received.append(recorded)
                    refusal = next((r for r in stub.refusals if r[0](recorded)), None)
                if stub.echo:
                    text = body.decode("utf-8", "replace")
                    print(f"{self.command} {parts.path}\n  {text}", flush=True)
                status, answer = (
                    _answer_for(parts.path) if refusal is None else (refusal[1], refusal[2])
                )
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815 (http.server names)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def refuse(
        self, predicate: Callable[[Recorded], bool], status: int, answer: Dict[str, Any]
    ) -> None:
        """From now on, answer the requests that match ``predicate`` with this error."""
        with self._lock:
            self.refusals.append((predicate, status, answer))

    def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def requests(self, path_contains: str = "") -> List[Recorded]:
        """What was received so far, optionally only paths containing ``path_contains``."""
        with self._lock:
            return [r for r in self.received if path_contains in r.path]

    def wait_for(
        self, predicate: Callable[[Recorded], bool], timeout: float = 30.0, count: int = 1
    ) -> List[Recorded]:
        """Wait until ``count`` received requests match ``predicate``; return them."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = [r for r in self.received if predicate(r)]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


def main() -> None:
    """Run the stand-in on its own and print what it receives, to try a channel locally.

    ``python -m tests.support.platform_stub --port 8099``, then point the channel's
    ``*_API_URL`` at ``http://127.0.0.1:8099`` (docs/channels/).
    """
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=8099)
    stub = PlatformStub(echo=True).start(parser.parse_args().port)
    print(f"Platform APIs stand-in on {stub.url}; Ctrl-C stops it.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stub.stop()


if __name__ == "__main__":
    main()
