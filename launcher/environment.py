"""The environment every role's process gets.

Each setting's default lives in the settings module that owns it (``actions.settings``,
``web.settings``, ``staff.settings``, ``stores.settings``, ``clinic.settings``,
``channels``, :mod:`launcher.settings`); a role reads it there. What the launcher adds,
each only where the environment leaves it unset or empty, is what joins the roles up and
what Rasa's own files need:

- ``ACTION_SERVER_SECRET``: a new random secret for each start (the Rasa server sends it,
  the action server checks it; set it to one value for every server of a deployment);
- ``ACTION_ENDPOINT_URL``: the action server's address, from its host and port;
- ``RASA_HOST`` and ``RASA_PORT``: where the Rasa server listens, which the staff app
  reaches it by, and ``RASA_SOCKET_URL``: the Rasa server as the website's widget
  reaches it;
- ``SOCKETIO_CORS_ORIGINS``: the website's origins, the only ones the socket.io channel
  lets in;
- every other variable that ``credentials.yml`` or ``endpoints.yml`` names, empty: Rasa
  refuses to read a file that names an unset variable, and a messaging channel whose
  variables are empty is off (its webhook answers 404);
- ``SANIC_REQUEST_MAX_SIZE`` (:mod:`launcher.settings`), and ``PYTHONPATH`` with the
  project's folder.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping

import yaml

from actions.settings import action_server_host, action_server_port, action_server_secret
from launcher.settings import LauncherSettings
from web.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
#: Rasa's files whose ``${VAR}`` values Rasa fills from the environment.
RASA_FILES = (ROOT / "credentials.yml", ROOT / "endpoints.yml")
_VARIABLE = re.compile(r"\$\{(\w+)\}")


def new_secret() -> str:
    """A new random secret (the action server's, for one start)."""
    return secrets.token_hex(16)


def _strings(node: Any) -> Iterator[str]:
    """Every string value of a YAML document, keys included."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def variables_of(path: Path) -> List[str]:
    """The environment variables a Rasa file names (``${VAR}`` in its values), in order."""
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    found: List[str] = []
    for text in _strings(document):
        for name in _VARIABLE.findall(text):
            if name not in found:
                found.append(name)
    return found


def role_environment(base: Mapping[str, str]) -> Dict[str, str]:
    """``base`` with what the roles need added where it is unset or empty (module doc).

    Raises:
        launcher.settings.SettingsError, web.settings.SettingsError: a setting of ``base``
            that cannot be used, named.
    """
    env = dict(base)
    launcher = LauncherSettings.from_env(env)
    web = load_settings(env)
    added = {
        "ACTION_SERVER_SECRET": action_server_secret(env) or new_secret(),
        "ACTION_ENDPOINT_URL": (
            f"http://{action_server_host(env)}:{action_server_port(env)}/webhook"
        ),
        "RASA_HOST": launcher.rasa_host,
        "RASA_PORT": str(launcher.rasa_port),
        "RASA_SOCKET_URL": f"http://localhost:{launcher.rasa_port}",
        "SOCKETIO_CORS_ORIGINS": f"http://localhost:{web.port},http://127.0.0.1:{web.port}",
        "SANIC_REQUEST_MAX_SIZE": str(launcher.request_max_size),
    }
    for path in RASA_FILES:
        for name in variables_of(path):
            added.setdefault(name, "")
    for name, value in added.items():
        if not env.get(name, "").strip():
            env[name] = value
    paths = [p for p in env.get("PYTHONPATH", "").split(":") if p]
    if str(ROOT) not in paths:
        env["PYTHONPATH"] = ":".join([str(ROOT), *paths])
    return env
