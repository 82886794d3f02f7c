"""Settings of the website, read from the environment in this one place.

``WEB_HOST`` and ``WEB_PORT``: where ``python -m web`` listens (127.0.0.1:8080).
``RASA_SOCKET_URL``: the Rasa server the widget connects to (http://localhost:5005); its
``SOCKETIO_CORS_ORIGINS`` must list the page's origin. The clinic config
(``CLINIC_CONFIG``) is read by :mod:`clinic.settings`, which owns it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"
#: npm's rasa-webchat UMD bundle, installed by ``npm ci`` in web/ (scripts/setup.sh).
WIDGET_BUNDLE = WEB_DIR / "node_modules" / "rasa-webchat" / "lib" / "index.js"
#: The logo the widget shows when the clinic config names none.
DEFAULT_LOGO = STATIC_DIR / "logo.svg"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_RASA_SOCKET_URL = "http://localhost:5005"
#: Rasa's socket.io path (its default).
SOCKET_PATH = "/socket.io/"


class SettingsError(ValueError):
    """An environment variable of the website has a value it cannot use."""


@dataclass(frozen=True)
class WebSettings:
    """Where the website listens and where its widget connects."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    rasa_socket_url: str = DEFAULT_RASA_SOCKET_URL
    socket_path: str = SOCKET_PATH
    widget_bundle: Path = WIDGET_BUNDLE


def load_settings(environ: Optional[Mapping[str, str]] = None) -> WebSettings:
    """The settings from ``environ`` (default: the process environment).

    Raises:
        SettingsError: naming the variable whose value is not usable.
    """
    env = os.environ if environ is None else environ
    host = env.get("WEB_HOST") or DEFAULT_HOST
    port_text = env.get("WEB_PORT") or str(DEFAULT_PORT)
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SettingsError(f"WEB_PORT is '{port_text}', which is not a port number (1-65535)")
    socket_url = (env.get("RASA_SOCKET_URL") or DEFAULT_RASA_SOCKET_URL).rstrip("/")
    if not socket_url.startswith(("http://", "https://")):
        raise SettingsError(
            f"RASA_SOCKET_URL is '{socket_url}', which is not an http(s) address such as "
            f"{DEFAULT_RASA_SOCKET_URL}"
        )
    return WebSettings(host=host, port=int(port_text), rasa_socket_url=socket_url)
