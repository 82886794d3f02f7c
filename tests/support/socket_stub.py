"""A stand-in for the Rasa server's socket.io channel that answers every message with one
fixed text: the browser tests use it to show the widget an answer no real model gives (one
the staff checks would refuse), such as a ``javascript:`` link.

It also serves a clinic's page (``/clinic.html``) without the demo page's
Content-Security-Policy, whose widget (from ``WIDGET_URL``) talks to it.

Run as ``python -m tests.support.socket_stub PORT TEXT WIDGET_URL``; ``/health`` answers
when it is up.
"""

from __future__ import annotations

import sys
import uuid
from html import escape
from typing import Any, Dict, Optional

import socketio
from sanic import Sanic, response
from sanic.request import Request

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A clinic</title></head>
<body><h1>A clinic</h1>
<script src="{widget}" data-socket-url="{socket}" defer></script>
</body></html>
"""


def create_app(answer: str, widget_url: str) -> Sanic:
    """A Sanic app whose socket.io server speaks as Rasa's ``SocketIOInput`` does: it
    confirms a session and answers each ``user_uttered`` with ``bot_uttered``."""
    app = Sanic("socket_stub")
    server = socketio.AsyncServer(async_mode="sanic", cors_allowed_origins="*")
    server.attach(app, socketio_path="/socket.io")

    @server.on("session_request")
    async def session_request(sid: str, data: Optional[Dict[str, Any]]) -> None:
        session_id = (data or {}).get("session_id") or uuid.uuid4().hex
        await server.emit("session_confirm", session_id, room=sid)

    @server.on("user_uttered")
    async def user_uttered(sid: str, data: Dict[str, Any]) -> None:
        await server.emit("bot_uttered", {"text": answer}, room=sid)

    @app.get("/clinic.html")
    async def page(request: Request) -> response.HTTPResponse:
        socket = f"{request.scheme}://{request.host}"
        return response.html(PAGE.format(widget=escape(widget_url), socket=escape(socket)))

    @app.get("/health")
    async def health(request: Request) -> response.HTTPResponse:
        return response.json({"status": "ok"})

    return app


def main(port: int, answer: str, widget_url: str) -> None:
    create_app(answer, widget_url).run(host="127.0.0.1", port=port, access_log=False)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3])
