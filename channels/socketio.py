"""Rasa's socket.io channel, with the origins allowed to connect taken from the settings.

Rasa 3.6 creates its socket.io server with ``cors_allowed_origins=[]``, which turns the
origin check off: any website could open a conversation with the clinic's assistant. This
channel keeps Rasa's behaviour and lets only the listed origins (``cors_allowed_origins``
in ``credentials.yml``, from ``SOCKETIO_CORS_ORIGINS``) connect. "*" is refused: a clinic
must name the sites the widget is embedded on.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Union

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from channels.limits import guarded

logger = logging.getLogger(__name__)


def parse_origins(value: Union[Text, List[Text], None]) -> List[Text]:
    """The allowed origins from a comma-separated string or a list.

    Raises:
        ValueError: when an origin is "*" or is not an http(s) origin.
    """
    items = value.split(",") if isinstance(value, str) else list(value or [])
    origins = [item.strip().rstrip("/") for item in items if item and item.strip()]
    for origin in origins:
        if origin == "*":
            raise ValueError(
                "SOCKETIO_CORS_ORIGINS must list the sites that embed the widget; '*' would "
                "let any website talk to the assistant."
            )
        if not origin.startswith(("http://", "https://")):
            raise ValueError(f"SOCKETIO_CORS_ORIGINS: '{origin}' is not an http(s) origin.")
    return origins


class ClinicSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel that only accepts connections from the listed origins."""

    @classmethod
    def name(cls) -> Text:
        """Same name as Rasa's channel, so the widget's settings stay Rasa's."""
        return "socketio"

    def __init__(
        self, *args: Any, cors_allowed_origins: Optional[List[Text]] = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cors_allowed_origins: List[Text] = list(cors_allowed_origins or [])

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Rasa's settings plus ``cors_allowed_origins``."""
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        assert isinstance(channel, ClinicSocketIOInput)
        channel.cors_allowed_origins = parse_origins(credentials.get("cors_allowed_origins"))
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's blueprint, with the origin check of the socket.io server turned on."""
        # Empty and over-long messages get a polite answer (channels/limits.py).
        blueprint = super().blueprint(guarded(on_new_message))
        assert self.sio is not None
        # python-engineio reads this on every request; an empty list would allow any origin,
        # so with nothing configured no cross-origin page may connect.
        self.sio.eio.cors_allowed_origins = self.cors_allowed_origins or None
        logger.info("socket.io accepts connections from: %s", self.cors_allowed_origins)
        return blueprint
