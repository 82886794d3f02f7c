"""Settings of the messaging channels, read from the environment in this one place.

The secrets (tokens, app secrets) are not read here: ``credentials.yml`` passes them to each
channel from environment variables. Read here are the base URLs of the platforms' outgoing
APIs, which only change when a test points them at a local stand-in (or a proxy is used).
"""

from __future__ import annotations

import os
from typing import Dict

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
