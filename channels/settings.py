"""Settings of the channels, read from the environment in this one place.

The platforms' secrets (tokens, app secrets) are not read here: ``credentials.yml`` passes
them to each channel from environment variables. Read here are the base URLs of the
platforms' outgoing APIs, which only change when a test points them at a local stand-in (or
a proxy is used), how deliveries are remembered and finished (:class:`DeliverySettings`),
the rate limits of the REST and website channels (:class:`RateLimits`), and the key that
signs the website's sessions.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Mapping, Optional

from stores.settings import StoreSettings

ROOT = Path(__file__).resolve().parent.parent
#: Where the key that signs the website's sessions is kept when ``SOCKETIO_SESSION_KEY`` is
#: not set: made once, readable by its owner only, shared by the servers of this machine.
DEFAULT_SESSION_KEY_FILE = ROOT / "var" / "socketio-session-key"

#: The base URL of each platform's outgoing API: environment variable and real default.
API_URLS: Dict[str, tuple[str, str]] = {
    "facebook": ("FACEBOOK_API_URL", "https://graph.facebook.com/v19.0"),
    "slack": ("SLACK_API_URL", "https://slack.com/api"),
    "telegram": ("TELEGRAM_API_URL", "https://api.telegram.org"),
    "twilio": ("TWILIO_API_URL", "https://api.twilio.com"),
    "whatsapp": ("WHATSAPP_API_URL", "https://graph.facebook.com/v19.0"),
}

#: Seconds a call to a platform's API may take in all before it is given up (and logged).
API_TIMEOUT_SECONDS = 10.0


def api_url(channel: str) -> str:
    """Base URL of ``channel``'s outgoing API, without a trailing slash.

    Args:
        channel: the channel's name, as in :data:`API_URLS` ("facebook", "slack", ...).
    """
    variable, default = API_URLS[channel]
    return (os.environ.get(variable) or default).rstrip("/")


#: Defaults of :class:`DeliverySettings`.
DEFAULT_DEDUP_SECONDS = 24 * 60 * 60
DEFAULT_DEDUP_SIZE = 5000
DEFAULT_STOP_SECONDS = 15.0


def _number(env: Mapping[str, str], variable: str, default: float, minimum: float) -> float:
    raw = env.get(variable, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{variable} must be a number of seconds or ids, not '{raw}'.") from None
    if value < minimum:
        raise ValueError(f"{variable} must be at least {minimum:g}.")
    return value


@dataclass(frozen=True)
class DeliverySettings:
    """How a messaging channel recognises a message delivered again, and how long a stopping
    server waits for the messages it is still handling (``channels/deliveries.py``).

    Attributes:
        remember_seconds: how long the id of a handled message is remembered
            (``CHANNEL_DEDUP_SECONDS``): the platforms redeliver within hours (Telegram
            keeps an update a day).
        remember_count: how many ids each channel remembers in memory
            (``CHANNEL_DEDUP_SIZE``); the oldest are forgotten first.
        stop_seconds: how long a stopping server waits for the messages still being handled
            (``CHANNEL_STOP_SECONDS``) before it stops them; above ``DATABASE_WAIT_SECONDS``
            (10), so a message that came in a database outage still gets its "try again".
        redis_url: ``REDIS_URL`` (``stores/settings.py``): with it, the ids are kept in Redis
            and shared by every server and worker of the deployment.
        key_prefix: ``LOCK_STORE_PREFIX``, the deployment's prefix of its Redis keys.
    """

    remember_seconds: int = DEFAULT_DEDUP_SECONDS
    remember_count: int = DEFAULT_DEDUP_SIZE
    stop_seconds: float = DEFAULT_STOP_SECONDS
    redis_url: str = ""
    key_prefix: str = "clinic"

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> DeliverySettings:
        """The settings from ``env`` (default: this process's environment).

        Raises:
            ValueError: naming the variable whose value cannot be used.
        """
        env = os.environ if env is None else env
        stores = StoreSettings.from_env(env)
        return cls(
            remember_seconds=int(
                _number(env, "CHANNEL_DEDUP_SECONDS", DEFAULT_DEDUP_SECONDS, minimum=1)
            ),
            remember_count=int(_number(env, "CHANNEL_DEDUP_SIZE", DEFAULT_DEDUP_SIZE, minimum=1)),
            stop_seconds=_number(env, "CHANNEL_STOP_SECONDS", DEFAULT_STOP_SECONDS, minimum=0),
            redis_url=stores.redis_url,
            key_prefix=stores.lock_prefix,
        )


#: Messages one sender (a REST ``sender``, a website session) may send in a minute.
DEFAULT_SENDER_MESSAGES_PER_MINUTE = 20
#: Messages one client address may send in a minute, whatever the senders.
DEFAULT_ADDRESS_MESSAGES_PER_MINUTE = 60


@dataclass(frozen=True)
class RateLimits:
    """How many messages the REST and website channels take in a minute (0: no limit).

    Attributes:
        per_sender: ``SENDER_MESSAGES_PER_MINUTE``, from one sender id or session id (20).
        per_address: ``ADDRESS_MESSAGES_PER_MINUTE``, from one client address (60); the
            address is the peer's, or the one a proxy in front forwards when Sanic is told
            of it (``SANIC_PROXIES_COUNT`` or ``SANIC_REAL_IP_HEADER``, read by Sanic).
    """

    per_sender: int = DEFAULT_SENDER_MESSAGES_PER_MINUTE
    per_address: int = DEFAULT_ADDRESS_MESSAGES_PER_MINUTE

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> RateLimits:
        """The limits from ``env`` (default: this process's environment).

        Raises:
            ValueError: naming the variable whose value is not a whole number of 0 or more.
        """
        env = os.environ if env is None else env

        def whole(name: str, default: int) -> int:
            raw = env.get(name, "").strip()
            if not raw:
                return default
            if not raw.isdigit():
                raise ValueError(f"{name} is '{raw}': it must be a whole number (0: no limit).")
            return int(raw)

        return cls(
            per_sender=whole("SENDER_MESSAGES_PER_MINUTE", DEFAULT_SENDER_MESSAGES_PER_MINUTE),
            per_address=whole("ADDRESS_MESSAGES_PER_MINUTE", DEFAULT_ADDRESS_MESSAGES_PER_MINUTE),
        )


def socketio_session_key() -> bytes:
    """The key that signs the website's session keys (``channels/web_sessions.py``):
    ``SOCKETIO_SESSION_KEY``, the same on every Rasa server of a deployment; when it is
    not set, a random key made once in ``SOCKETIO_SESSION_KEY_FILE``
    (var/socketio-session-key), so that visitors' sessions survive a restart."""
    key = (os.environ.get("SOCKETIO_SESSION_KEY") or "").strip()
    if key:
        return key.encode("utf-8")
    path = Path(os.environ.get("SOCKETIO_SESSION_KEY_FILE") or DEFAULT_SESSION_KEY_FILE)
    return _key_in_file(path).encode("utf-8")


def _key_in_file(path: Path) -> str:
    """The key in ``path``, made there first if there is none (two servers starting at once
    end up with the same key: only one can create the file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_text(encoding="utf-8").strip()
            if key:
                return key
            time.sleep(0.1)  # the other server is writing it
        raise ValueError(f"{path} is empty: remove it, or set SOCKETIO_SESSION_KEY") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(key + "\n")
    return key
