"""The action server: rasa_sdk's, on 127.0.0.1 unless told, answering only the Rasa server.

``rasa run actions`` listens on every interface and runs any action for anyone who can
reach it. This runs the same rasa_sdk app (``python -m actions.server``) on
``ACTION_SERVER_HOST`` (127.0.0.1 by default) and refuses, with 401, every call to the
webhook or the action list that does not carry ``ACTION_SERVER_SECRET`` in the
``X-Action-Secret`` header, which the Rasa server sends (``endpoints.yml``). ``/health``
stays open for health checks. Without a secret it does not start.
"""

from __future__ import annotations

import hmac
import logging
import sys
from typing import Optional

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions import settings

logger = logging.getLogger(__name__)

OPEN_PATHS = frozenset({"/health"})


def secret_matches(given: Optional[str], secret: str) -> bool:
    """Whether ``given`` is the secret, compared in constant time."""
    return bool(given) and hmac.compare_digest(str(given).encode(), secret.encode())


def create_action_server(secret: str) -> Sanic:
    """rasa_sdk's app for the ``actions`` package, with the secret checked on each call.

    Raises:
        ValueError: when ``secret`` is empty.
    """
    if not secret:
        raise ValueError(
            "ACTION_SERVER_SECRET is empty: set it (the same value for the Rasa server, "
            "endpoints.yml sends it) so that only the Rasa server can run the actions."
        )
    app = create_app("actions", cors_origins=[])

    @app.middleware("request")
    async def require_secret(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        if secret_matches(request.headers.get(settings.SECRET_HEADER), secret):
            return None
        logger.warning("Refused a call to %s without the action server's secret", request.path)
        return response.json({"error": "unauthorised"}, status=401)

    return app


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s"
    )
    try:
        app = create_action_server(settings.action_server_secret())
    except ValueError as error:
        print(f"action server: {error}", file=sys.stderr)
        return 2
    host, port = settings.action_server_host(), settings.action_server_port()
    logger.info(
        "Action server on http://%s:%s (calls need %s)", host, port, settings.SECRET_HEADER
    )
    app.run(host=host, port=port, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
