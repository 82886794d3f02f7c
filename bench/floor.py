"""The floor: a bare Sanic app whose REST webhook echoes the message.

The same route and JSON as Rasa's REST channel (``POST /webhooks/rest/webhook`` with
``{"sender", "message"}``, a list of ``{"recipient_id", "text"}`` back), on the same Sanic
as Rasa, with no work behind it: what HTTP, JSON and the load client cost on this machine.
Run: ``python -m bench.floor --port 8765``.
"""

from __future__ import annotations

import argparse
from typing import List, Optional

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json, text


def create_app() -> Sanic:
    app = Sanic("bench_floor")

    @app.get("/health")
    async def health(request: Request) -> HTTPResponse:
        return text("ok")

    @app.post("/webhooks/rest/webhook")
    async def webhook(request: Request) -> HTTPResponse:
        body = request.json or {}
        return json([{"recipient_id": body.get("sender"), "text": body.get("message")}])

    return app


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    create_app().run(host="127.0.0.1", port=args.port, access_log=False, workers=1)


if __name__ == "__main__":
    main()
