"""Settings of the staff app, read from the environment in this one place.

Every value has its default here, one that works on one machine (``make run``); docs/operations.md
lists them. The tracker store the Review page reads is the assistant's own, configured as
:mod:`stores.settings` reads it (``TRACKER_DB``, or ``DATABASE_URL`` and
``DATABASE_SCHEMA``).
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Mapping, Optional, Tuple

from stores.settings import StoreSettings

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8090
DEFAULT_LOW_CONFIDENCE = 0.6
DEFAULT_LIVE_POLL_SECONDS = 0.4
#: The file that keeps the generated signing key, beside the staff database.
SECRET_FILE_NAME = "staff-secret"
#: Where ``make run`` keeps the Rasa API token it made for this start (owner-only), so
#: that ``make publish`` in another terminal can load a model too.
DEFAULT_API_TOKEN_FILE = ROOT / "var" / "rasa-api-token"


def token_from_file(path: Path) -> str:
    """The token in ``path`` (written by ``make run``), or "" when there is none."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


#: What names a secret in the environment: training and testing a model need none, and a
#: model's code (its components) runs in the child.
SECRET_NAME = re.compile(
    r"SECRET|TOKEN|PASSWORD|_KEY$|^(DATABASE_URL|REDIS_URL|EVENT_BROKER_URL)$"
)


def without_secrets(env: Mapping[str, str]) -> Dict[str, str]:
    """``env`` without the staff app's secrets and the stores' addresses (with passwords)."""
    return {name: value for name, value in env.items() if not SECRET_NAME.search(name)}


class SettingsError(ValueError):
    """An environment variable of the staff app has a value it cannot use."""


@dataclass(frozen=True)
class StaffSettings:
    """Where the staff app listens, what it reads and writes, and its security limits.

    Attributes:
        host: ``STAFF_HOST``, the address the app listens on (127.0.0.1: this machine only).
        port: ``STAFF_PORT`` (8090).
        db: ``STAFF_DB``, the SQLite file of accounts, sessions and the history (var/staff.db).
        secret_key: ``STAFF_SECRET_KEY``, the key that signs the session cookie; empty means
            a random key kept in ``staff-secret`` beside the database (see
            :meth:`signing_key`).
        low_confidence: ``STAFF_LOW_CONFIDENCE``, below which an understood message is
            flagged "low confidence" on the Review page (0.6).
        rasa_url: ``RASA_URL``, the running Rasa server that published models are loaded
            into (default ``http://RASA_HOST:RASA_PORT``); several, separated by commas,
            when several servers serve the assistant (deploy/docker-compose.yml): each gets
            the model (:attr:`rasa_urls`).
        rasa_api_token: ``RASA_API_TOKEN``, the token of Rasa's HTTP API.
        models: ``STAFF_MODELS``, the folder of published models (models/published).
        data_root: ``STAFF_DATA_ROOT``, the project whose data/ staff edit (this one).
        store: the assistant's tracker store settings (:class:`stores.settings.StoreSettings`).
        https: ``STAFF_HTTPS=1``: the app is served over https (behind a proxy), so its
            cookie is marked ``Secure``. A request that arrives over https gets a ``Secure``
            cookie either way.
        session_hours: ``STAFF_SESSION_HOURS``, how long a session lasts without use (8).
        max_failures: ``STAFF_MAX_FAILURES``, wrong passwords in a row for a name from one
            address before logging in with it from there pauses (5).
        lockout_minutes: ``STAFF_LOCKOUT_MINUTES``, how long a pause lasts (5).
        max_address_failures: ``STAFF_MAX_ADDRESS_FAILURES``, wrong passwords from one
            address, whatever the names, before logging in from there pauses (20).
        max_name_failures: ``STAFF_MAX_NAME_FAILURES``, wrong passwords for one name from
            all addresses before logging in with it pauses everywhere (50).
        login_threads: ``STAFF_LOGIN_THREADS``, the threads that check passwords (2): a
            flood of logins waits for them and does not hold up the other pages.
        live_poll_seconds: ``STAFF_LIVE_POLL_SECONDS``, how often the live chat looks at
            the tracker store for new events while a page of the app is open (0.4) and the
            store gives no signal (SQLite; PostgreSQL's signals, staff/live/wakeup.py, wake
            it at once): a visitor's message reaches the staff member's page within about
            that.
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    db: Path = ROOT / "var" / "staff.db"
    secret_key: str = ""
    low_confidence: float = DEFAULT_LOW_CONFIDENCE
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_api_token: str = ""
    models: Path = ROOT / "models" / "published"
    data_root: Path = ROOT
    store: StoreSettings = field(default_factory=StoreSettings)
    https: bool = False
    session_hours: float = 8.0
    max_failures: int = 5
    lockout_minutes: float = 5.0
    max_address_failures: int = 20
    max_name_failures: int = 50
    login_threads: int = 2
    live_poll_seconds: float = DEFAULT_LIVE_POLL_SECONDS

    @property
    def rasa_urls(self) -> Tuple[str, ...]:
        """Each Rasa server of ``rasa_url``."""
        return tuple(url.strip().rstrip("/") for url in self.rasa_url.split(",") if url.strip())

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> StaffSettings:
        """The settings from ``env`` (default: this process's environment).

        Raises:
            SettingsError: naming the variable whose value cannot be used.
        """
        env = os.environ if env is None else env

        def text(name: str, default: str) -> str:
            return (env.get(name) or "").strip() or default

        def number(name: str, default: float, low: float, high: float) -> float:
            raw = text(name, str(default))
            try:
                value = float(raw)
            except ValueError:
                raise SettingsError(f"{name} is '{raw}', which is not a number") from None
            if not low <= value <= high:
                raise SettingsError(f"{name} is {raw}; it must be between {low:g} and {high:g}")
            return value

        port_text = text("STAFF_PORT", str(DEFAULT_PORT))
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SettingsError(f"STAFF_PORT is '{port_text}', which is not a port number")
        rasa_host = text("RASA_HOST", "127.0.0.1")
        if rasa_host in ("0.0.0.0", "::"):  # listening everywhere: reach it here
            rasa_host = "127.0.0.1"
        rasa_url = text("RASA_URL", f"http://{rasa_host}:{text('RASA_PORT', '5005')}")
        urls = [url.strip().rstrip("/") for url in rasa_url.split(",")]
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise SettingsError(f"RASA_URL has '{url}', which is not an http(s) address")
        https = text("STAFF_HTTPS", "0").lower()
        if https not in ("0", "1", "true", "false", "yes", "no"):
            raise SettingsError(f"STAFF_HTTPS is '{https}'; use 1 (served over https) or 0")
        try:
            store = StoreSettings.from_env(env)
        except ValueError as error:
            raise SettingsError(str(error)) from error
        return cls(
            host=text("STAFF_HOST", DEFAULT_HOST),
            port=int(port_text),
            db=Path(text("STAFF_DB", str(cls.db))),
            secret_key=(env.get("STAFF_SECRET_KEY") or "").strip(),
            low_confidence=number("STAFF_LOW_CONFIDENCE", DEFAULT_LOW_CONFIDENCE, 0.0, 1.0),
            rasa_url=",".join(urls),
            rasa_api_token=(env.get("RASA_API_TOKEN") or "").strip()
            or token_from_file(Path(text("RASA_API_TOKEN_FILE", str(DEFAULT_API_TOKEN_FILE)))),
            models=Path(text("STAFF_MODELS", str(cls.models))),
            data_root=Path(text("STAFF_DATA_ROOT", str(ROOT))),
            store=store,
            https=https in ("1", "true", "yes"),
            session_hours=number("STAFF_SESSION_HOURS", 8.0, 0.01, 24 * 30),
            max_failures=int(number("STAFF_MAX_FAILURES", 5, 1, 1000)),
            lockout_minutes=number("STAFF_LOCKOUT_MINUTES", 5.0, 0.0, 24 * 60),
            max_address_failures=int(number("STAFF_MAX_ADDRESS_FAILURES", 20, 1, 100000)),
            max_name_failures=int(number("STAFF_MAX_NAME_FAILURES", 50, 1, 100000)),
            login_threads=int(number("STAFF_LOGIN_THREADS", 2, 1, 64)),
            live_poll_seconds=number(
                "STAFF_LIVE_POLL_SECONDS", DEFAULT_LIVE_POLL_SECONDS, 0.05, 10.0
            ),
        )

    def signing_key(self) -> str:
        """The key that signs session cookies: ``STAFF_SECRET_KEY``, else a random one
        created once in ``staff-secret`` beside the database (readable by its owner only),
        so sessions survive a restart."""
        if self.secret_key:
            return self.secret_key
        path = self.db.parent / SECRET_FILE_NAME
        if path.is_file():
            key = path.read_text(encoding="utf-8").strip()
            if key:
                return key
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(key + "\n")
        return key
