"""Settings of the actions package, read from the environment in this one place."""

from __future__ import annotations

import os

#: The header that carries the shared secret on every call from the Rasa server.
SECRET_HEADER = "X-Action-Secret"


def action_server_secret() -> str:
    """``$ACTION_SERVER_SECRET``: the secret the Rasa server sends (endpoints.yml)."""
    return os.environ.get("ACTION_SERVER_SECRET", "").strip()


def action_server_host() -> str:
    """``$ACTION_SERVER_HOST``: the interface to listen on (127.0.0.1 unless told)."""
    return os.environ.get("ACTION_SERVER_HOST", "").strip() or "127.0.0.1"


def action_server_port() -> int:
    """``$ACTION_SERVER_PORT`` (5055)."""
    return int(os.environ.get("ACTION_SERVER_PORT", "") or 5055)
