"""Settings of the actions package, read from the environment in this one place."""

from __future__ import annotations

import os
from typing import Mapping, Optional

#: The header that carries the shared secret on every call from the Rasa server.
SECRET_HEADER = "X-Action-Secret"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5055


def action_server_secret(env: Optional[Mapping[str, str]] = None) -> str:
    """``$ACTION_SERVER_SECRET``: the secret the Rasa server sends (endpoints.yml).

    Args:
        env: the environment to read (default: this process's).
    """
    env = os.environ if env is None else env
    return env.get("ACTION_SERVER_SECRET", "").strip()


def action_server_host(env: Optional[Mapping[str, str]] = None) -> str:
    """``$ACTION_SERVER_HOST``: the interface to listen on (127.0.0.1 unless told)."""
    env = os.environ if env is None else env
    return env.get("ACTION_SERVER_HOST", "").strip() or DEFAULT_HOST


def action_server_port(env: Optional[Mapping[str, str]] = None) -> int:
    """``$ACTION_SERVER_PORT`` (5055)."""
    env = os.environ if env is None else env
    return int(env.get("ACTION_SERVER_PORT", "") or DEFAULT_PORT)
