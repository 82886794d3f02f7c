"""The command line of each role: written here once.

- ``rasa``: ``rasa run`` with the project's ``credentials.yml`` (every channel) and
  ``endpoints.yml`` (action server, stores, event broker), and Rasa's HTTP API when a token
  or a JWT secret is set;
- ``actions``: the action server (``python -m actions.server``);
- ``web``: the demo clinic website (``python -m web``);
- ``staff``: the staff app (``python -m staff``).

Every command runs from the project's folder with the environment of
:func:`launcher.environment.role_environment`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List, Mapping, Sequence

from launcher.models import model_to_serve
from launcher.settings import LauncherSettings
from stores.settings import StoreSettings

ROLES = ("rasa", "actions", "web", "staff")
#: The Python module each role other than ``rasa`` runs.
MODULES: Dict[str, str] = {"actions": "actions.server", "web": "web", "staff": "staff"}


def api_arguments(token: str, jwt_secret: str = "") -> List[str]:
    """``rasa run``'s arguments for its HTTP API: on, with every call needing the token or
    a JWT signed with the secret; none (the API off) without either."""
    arguments: List[str] = []
    if token:
        arguments += ["--enable-api", "--auth-token", token]
    if jwt_secret:
        arguments += ["--enable-api", "--jwt-secret", jwt_secret, "--jwt-method", "HS256"]
    return arguments


def rasa_command(model: Path, host: str, port: int, extra: Sequence[str] = ()) -> List[str]:
    """``rasa run`` of ``model`` on ``host``:``port`` with the project's channels and
    endpoints, through :mod:`launcher.rasa_run`, which adds the API's secrets from the
    server's environment (:func:`api_arguments`), never on this command line; ``extra``:
    more arguments."""
    return [
        sys.executable, "-m", "launcher.rasa_run", "--model", str(model),
        "--interface", host, "--port", str(port),
        "--credentials", "credentials.yml", "--endpoints", "endpoints.yml", *extra,
    ]  # fmt: skip


def module_command(role: str) -> List[str]:
    """The command of ``actions``, ``web`` or ``staff``."""
    return [sys.executable, "-m", MODULES[role]]


def prepare_rasa(env: Mapping[str, str]) -> None:
    """Make the folder of the Rasa server's SQLite tracker store (``TRACKER_DB``), when
    it keeps conversations there (no ``DATABASE_URL``).

    Raises:
        ValueError: a store setting of ``env`` cannot be used, named.
    """
    store = StoreSettings.from_env(env)
    if not store.database_url:
        Path(store.tracker_db).parent.mkdir(parents=True, exist_ok=True)


def command(role: str, env: Mapping[str, str]) -> List[str]:
    """The command line of ``role`` as ``deploy/start.sh`` runs it, from ``env``.

    The Rasa server listens on ``RASA_HOST``:``RASA_PORT`` with the model of
    :func:`launcher.models.model_to_serve`, its API on with ``RASA_API_TOKEN`` or
    ``RASA_JWT_SECRET`` of its environment (:mod:`launcher.rasa_run`).

    Raises:
        KeyError: ``role`` is none of :data:`ROLES`.
        launcher.models.NoModelError: the Rasa server has no model to load.
    """
    if role not in ROLES:
        raise KeyError(role)
    if role != "rasa":
        return module_command(role)
    settings = LauncherSettings.from_env(env)
    return rasa_command(model_to_serve(settings), settings.rasa_host, settings.rasa_port)
