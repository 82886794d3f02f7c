"""Settings of the messaging channels, read from the environment in this one place.

The secrets (tokens, app secrets) are not read here: ``credentials.yml`` passes them to each
channel from environment variables. Read here are the base URLs of the platforms' outgoing
APIs, which only change when a test points them at a local stand-in (or a proxy is used),
and how deliveries are remembered and finished (:class:`DeliverySettings`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Dict, Mapping, Optional

from stores.settings import StoreSettings

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
