"""What the shipped ``deploy/nginx.conf`` tells the servers behind it about the request.

nginx listens on plain http behind the clinic's TLS terminator (a load balancer or an https
proxy), so its own ``$scheme`` is ``http`` for every request. Debian's nginx runs the
shipped configuration (``tests/support/nginx.py`` only changes its addresses) in front of
a server that answers with the headers it received.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, Optional

import pytest
import requests

from tests.support.nginx import Nginx, nginx_binary, running_nginx

pytestmark = pytest.mark.integration


class _Echo(BaseHTTPRequestHandler):
    """Answers every request with the headers it received, as JSON."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        data = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer  # noqa: N815 (http.server names)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    """The shipped nginx with the echo server as both of its Rasa servers."""
    if nginx_binary() is None:
        pytest.fail("nginx is not installed: run `make setup` (scripts/setup.sh installs it)")
    echo = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=echo.serve_forever, daemon=True).start()
    port = echo.server_address[1]
    try:
        with running_nginx([port, port], tmp_path_factory.mktemp("nginx")) as running:
            yield running
    finally:
        echo.shutdown()
        echo.server_close()


def received(nginx: Nginx, path: str, headers: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The headers the server behind nginx received for a POST to ``path``."""
    answer = requests.post(f"{nginx.url}{path}", data=b"x", headers=headers or {}, timeout=10)
    answer.raise_for_status()
    upstream: Dict[str, str] = answer.json()
    return upstream


PATHS = ["/webhooks/twilio/webhook", "/socket.io/?EIO=4&transport=polling"]


@pytest.mark.parametrize("path", PATHS)
def test_the_scheme_the_tls_terminator_received_is_passed_on(nginx: Nginx, path: str) -> None:
    upstream = received(nginx, path, {"X-Forwarded-Proto": "https"})

    assert upstream["x-forwarded-proto"] == "https"


@pytest.mark.parametrize("path", PATHS)
def test_without_a_tls_terminator_the_scheme_is_nginxs_own(nginx: Nginx, path: str) -> None:
    assert received(nginx, path)["x-forwarded-proto"] == "http"
    assert received(nginx, path, {"X-Forwarded-Proto": "gopher"})["x-forwarded-proto"] == "http"


def test_the_host_is_the_one_the_visitor_asked_for(nginx: Nginx) -> None:
    upstream = received(nginx, "/webhooks/twilio/webhook", {"Host": "clinic.example"})

    assert (upstream["host"], upstream["x-forwarded-host"]) == ("clinic.example", "clinic.example")
