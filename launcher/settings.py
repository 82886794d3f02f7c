"""Settings of the launcher, read from the environment in this one place.

The launcher reads here what belongs to no role's own settings module: where the Rasa
server listens, the Rasa server's HTTP API credentials and model, whether ``make run``
starts the staff app, how long a start may take, the request size limit every server
gets, and the Chromium the browser tests drive. Each role's own settings (``actions``,
``web``, ``staff``, ``stores``, ``clinic``, ``channels``) stay in its package.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Mapping, Optional

from staff.settings import DEFAULT_API_TOKEN_FILE

DEFAULT_RASA_HOST = "127.0.0.1"
DEFAULT_RASA_PORT = 5005
#: Bytes of a request body above which every server (Sanic reads ``SANIC_REQUEST_MAX_SIZE``)
#: answers 413 without reading it.
DEFAULT_REQUEST_MAX_SIZE = 1_000_000
#: Seconds ``make run`` waits for the action server, the Rasa server and the website.
DEFAULT_READY_TIMEOUT = 180.0
#: Seconds a server started on a free port (tests, screenshot, benchmark) may take to answer.
DEFAULT_STARTUP_TIMEOUT = 240.0
DEFAULT_CHROMIUM = "/usr/bin/chromium"


class SettingsError(ValueError):
    """An environment variable of the launcher has a value it cannot use."""


@dataclass(frozen=True)
class LauncherSettings:
    """What the launcher reads from the environment.

    Attributes:
        rasa_host: ``RASA_HOST``, the interface the Rasa server listens on (127.0.0.1; the
            image of deploy/Dockerfile sets 0.0.0.0).
        rasa_port: ``RASA_PORT`` (5005).
        staff_app: ``STAFF_APP``; 0 leaves the staff app out of ``make run`` (1).
        api_token: ``RASA_API_TOKEN``, the token of the Rasa server's HTTP API; with it (or
            ``jwt_secret``) the API is on. ``make run`` makes one for the staff app when
            it is empty.
        jwt_secret: ``RASA_JWT_SECRET``, the API's JWT secret (HS256), if any.
        token_file: ``RASA_API_TOKEN_FILE``, where ``make run`` keeps the token it made, so
            that ``make publish`` in another terminal finds it (the staff app's default).
        model: ``MODEL``, the model the ``rasa`` role loads; empty: the live published one,
            else the image's (:func:`launcher.models.model_to_serve`).
        request_max_size: ``SANIC_REQUEST_MAX_SIZE``, given to every server (1,000,000).
        ready_timeout: ``READY_TIMEOUT``, seconds ``make run`` waits for the servers (180).
        startup_timeout: ``CONVERSATION_STARTUP_TIMEOUT``, seconds a server started on a
            free port may take (240).
        chromium: ``CHROMIUM``, Debian's Chromium (/usr/bin/chromium).
    """

    rasa_host: str = DEFAULT_RASA_HOST
    rasa_port: int = DEFAULT_RASA_PORT
    staff_app: bool = True
    api_token: str = ""
    jwt_secret: str = ""
    token_file: Path = DEFAULT_API_TOKEN_FILE
    model: str = ""
    request_max_size: int = DEFAULT_REQUEST_MAX_SIZE
    ready_timeout: float = DEFAULT_READY_TIMEOUT
    startup_timeout: float = DEFAULT_STARTUP_TIMEOUT
    chromium: str = DEFAULT_CHROMIUM

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> LauncherSettings:
        """The settings from ``env`` (default: this process's environment).

        Raises:
            SettingsError: naming the variable whose value cannot be used.
        """
        env = os.environ if env is None else env

        def number(name: str, default: float) -> float:
            raw = env.get(name, "").strip()
            try:
                return float(raw) if raw else default
            except ValueError:
                raise SettingsError(f"{name} is '{raw}', which is not a number") from None

        port = env.get("RASA_PORT", "").strip() or str(DEFAULT_RASA_PORT)
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(f"RASA_PORT is '{port}', which is not a port number (1-65535)")
        return cls(
            rasa_host=env.get("RASA_HOST", "").strip() or DEFAULT_RASA_HOST,
            rasa_port=int(port),
            staff_app=env.get("STAFF_APP", "").strip() != "0",
            api_token=env.get("RASA_API_TOKEN", "").strip(),
            jwt_secret=env.get("RASA_JWT_SECRET", "").strip(),
            token_file=Path(env.get("RASA_API_TOKEN_FILE", "").strip() or DEFAULT_API_TOKEN_FILE),
            model=env.get("MODEL", "").strip(),
            request_max_size=int(number("SANIC_REQUEST_MAX_SIZE", DEFAULT_REQUEST_MAX_SIZE)),
            ready_timeout=number("READY_TIMEOUT", DEFAULT_READY_TIMEOUT),
            startup_timeout=number("CONVERSATION_STARTUP_TIMEOUT", DEFAULT_STARTUP_TIMEOUT),
            chromium=env.get("CHROMIUM", "").strip() or DEFAULT_CHROMIUM,
        )

    @classmethod
    def names(cls) -> list[str]:
        """The settings' names (``python -m launcher setting NAME`` prints one)."""
        return [f.name for f in fields(cls)]
