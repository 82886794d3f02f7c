"""Settings of the actions package, read from the environment in this one place."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Default clinic config: ``clinic.yml`` at the project root, whatever the working directory.
DEFAULT_CLINIC_CONFIG = PROJECT_ROOT / "clinic.yml"


def clinic_config_path() -> Path:
    """Path of the clinic config: ``$CLINIC_CONFIG`` if set, else ``clinic.yml``."""
    return Path(os.environ.get("CLINIC_CONFIG") or DEFAULT_CLINIC_CONFIG)


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
