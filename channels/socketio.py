"""Rasa's socket.io channel, with the origins allowed to connect taken from the settings.

Rasa 3.6 creates its socket.io server with ``cors_allowed_origins=[]``, which turns the
origin check off: any website could open a conversation with the clinic's assistant. This
channel keeps Rasa's behaviour and lets only the listed origins (``cors_allowed_origins``
in ``credentials.yml``, from ``SOCKETIO_CORS_ORIGINS``) connect. "*" is refused: a clinic
must name the sites the widget is embedded on.

And it checks what a client sends, which Rasa's channel takes as it comes:

- A long-polling POST whose body is empty, not UTF-8, not an engine.io payload, or holds a
  socket.io packet that is not JSON (or an event that is not ``["name", ...]``) gets 400
  before engine.io reads it (engine.io would answer "ok" and drop it).
- A session id (``session_request``) must be a session key the server issued and signed
  (``channels/web_sessions.py``): otherwise the client is given a new one instead, and a
  message that carries one the server did not sign is refused (logged, not passed on). The
  conversation is kept as ``socketio:<id>``, which is not the key: knowing a
  conversation's id (from the staff app, a log, the event broker) does not let a page join
  its room or write into it, and a web page cannot write into a Telegram or WhatsApp
  user's conversation.
- A ``user_uttered`` event that is not an object, or whose ``message`` is not a string,
  gets ``utter_message_empty``; of its metadata only the allowlisted keys with short values
  are kept (``channels/metadata.py``).
- A session id or client address over its rate limit (``channels/rate_limits.py``; the
  address the connection came from) gets ``utter_rate_limited``, and the message goes no
  further. Then the checks of every channel (``channels/limits.py``).

``visitor_typing`` with a signed session key: the visitor is typing; recorded for the staff
member while the conversation is with a person (``channels/typing.py``).

With several Rasa servers (``REDIS_URL`` set), the socket.io server's client manager is
python-socketio's ``AsyncRedisManager`` on that Redis (pub/sub channel
``<LOCK_STORE_PREFIX>-socketio``): a message emitted on one server (a staff member's, in
the live handoff, sent by whichever server the staff app reached) reaches the visitor's
connection on whichever server holds it. Without it, emits stay in the process.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Union

import engineio.packet
import engineio.payload
import socketio
import socketio.packet
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request

from channels.limits import (
    EMPTY_RESPONSE,
    RATE_LIMITED_RESPONSE,
    guarded,
    response_text,
    running_agent,
)
from channels.metadata import visitor_metadata
from channels.rate_limits import RateLimiter, client_address
from channels.settings import RateLimits, socketio_session_key
from channels.typing import TypingRelay
from channels.web_sessions import SessionKeys
from stores.settings import StoreSettings

logger = logging.getLogger(__name__)

#: What the widget emits while its visitor types (``web/templates/widget.js``).
TYPING_EVENT = "visitor_typing"


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


def unreadable(body: bytes) -> Optional[str]:
    """Why a long-polling POST body cannot be read, or None if engine.io can read it."""
    if not body:
        return "the body is empty"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not UTF-8"
    try:
        payload = engineio.payload.Payload(encoded_payload=text)
    except Exception:
        return "the body is not an engine.io payload"
    for packet in payload.packets:
        if packet.packet_type != engineio.packet.MESSAGE or not isinstance(packet.data, str):
            continue  # ping, pong, close, or a binary attachment
        try:
            message = socketio.packet.Packet(encoded_packet=packet.data)
        except Exception:
            return "a socket.io packet is not JSON"
        if message.packet_type in (socketio.packet.EVENT, socketio.packet.BINARY_EVENT) and (
            not isinstance(message.data, list)
            or not message.data
            or not isinstance(message.data[0], str)
        ):
            return "a socket.io event must be a JSON array that starts with its name"
    return None


def client_manager(settings: StoreSettings) -> Optional[socketio.AsyncRedisManager]:
    """python-socketio's Redis client manager when ``REDIS_URL`` is set (emits reach the
    connections of every server), else None (the default, in the process)."""
    if not settings.redis_url:
        return None
    logger.info("socket.io: emits shared through Redis (%s-socketio)", settings.lock_prefix)
    return socketio.AsyncRedisManager(
        settings.redis_url, channel=f"{settings.lock_prefix}-socketio"
    )


class ClinicSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel that only accepts connections from the listed origins and
    checks what clients send (see the module's description)."""

    @classmethod
    def name(cls) -> Text:
        """Same name as Rasa's channel, so the widget's settings stay Rasa's."""
        return "socketio"

    def __init__(
        self,
        *args: Any,
        cors_allowed_origins: Optional[List[Text]] = None,
        session_keys: Optional[SessionKeys] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cors_allowed_origins: List[Text] = list(cors_allowed_origins or [])
        #: Issues and checks the widgets' session keys; by default with the key of
        #: :func:`channels.settings.socketio_session_key`, read when the server starts.
        self.session_keys = session_keys
        self.limiter = RateLimiter(RateLimits.from_env())
        self.typing = TypingRelay()

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Rasa's settings plus ``cors_allowed_origins``."""
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        assert isinstance(channel, ClinicSocketIOInput)
        channel.cors_allowed_origins = parse_origins(credentials.get("cors_allowed_origins"))
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Rasa's blueprint, with the origin check on and what clients send checked."""
        # Empty and over-long messages get a polite answer (channels/limits.py).
        checked = guarded(on_new_message)
        blueprint = super().blueprint(checked)
        sio = self.sio
        assert sio is not None
        manager = client_manager(StoreSettings.from_env())
        if manager is not None:
            # Rasa creates the server with the default manager; none is in use yet.
            sio.manager = manager
            manager.set_server(sio)
        # python-engineio reads this on every request; an empty list would allow any origin,
        # so with nothing configured no cross-origin page may connect.
        sio.eio.cors_allowed_origins = self.cors_allowed_origins or None
        logger.info("socket.io accepts connections from: %s", self.cors_allowed_origins)

        # Bodies engine.io cannot read get 400 (the route is added when the blueprint is
        # registered, from this attribute).
        handle_request = sio.eio.handle_request

        @functools.wraps(handle_request)
        async def handle_request_checked(request: Request, *args: Any, **kwargs: Any) -> Any:
            if request.method == "POST":
                problem = unreadable(request.body or b"")
                if problem is not None:
                    logger.warning("socket.io: a request refused (400): %s", problem)
                    return response.text(problem, status=400)
            return await handle_request(request, *args, **kwargs)

        sio.eio.handle_request = handle_request_checked

        keys = self.session_keys or SessionKeys(socketio_session_key())

        def address_of(sid: Text) -> Optional[str]:
            """The client address of the connection ``sid`` (python-socketio keeps the
            request that opened it), if known."""
            environ = sio.get_environ(sid, namespace=self.namespace)
            request = environ.get("sanic.request") if environ else None
            return client_address(request) if isinstance(request, Request) else None

        async def within_limits(sid: Text) -> bool:
            """Count a session request or a malformed message against the connection and
            its address (``channels/rate_limits.py``); over a limit, the connection is
            closed: it asks for sessions faster than anyone chats."""
            if self.limiter.check(f"connection:{sid}", address_of(sid)) is None:
                return True
            logger.info("socket.io: a connection over the rate limits closed")
            await sio.disconnect(sid, namespace=self.namespace)
            return False

        async def session_request(sid: Text, *args: Any) -> None:
            if not await within_limits(sid):
                return
            data = args[0] if args else None
            session_key = data.get("session_id") if isinstance(data, dict) else None
            conversation = keys.conversation(session_key)
            if conversation is None:
                if session_key is not None:
                    logger.info("socket.io: a session key not signed here; a new one given")
                session_key = keys.issue()
                conversation = keys.conversation(session_key)
            if self.session_persistence:
                # A connection follows one conversation: it leaves the one it had.
                for room in sio.rooms(sid, namespace=self.namespace):
                    if room not in (sid, conversation):
                        sio.leave_room(sid, room, namespace=self.namespace)
                # Rasa's SocketIOOutput sends the replies to the room of the sender id.
                sio.enter_room(sid, conversation, namespace=self.namespace)
            await sio.emit("session_confirm", session_key, room=sid)

        async def handle_message(sid: Text, *args: Any) -> None:
            output = SocketIOOutput(sio, self.bot_message_evt)
            data = args[0] if args else None
            if not isinstance(data, dict):
                if await within_limits(sid):
                    logger.info("socket.io: a message that is not an object")
                    await output.send_text_message(sid, response_text(EMPTY_RESPONSE))
                return
            if self.session_persistence:
                sender_id = keys.conversation(data.get("session_id"))
                if sender_id is None:
                    logger.info("socket.io: a message refused: its session key is not signed here")
                    await within_limits(sid)
                    return
            else:
                sender_id = sid
            if self.limiter.check(sender_id, address_of(sid)) is not None:
                await output.send_text_message(sender_id, response_text(RATE_LIMITED_RESPONSE))
                return
            text = data.get("message")
            await checked(
                UserMessage(
                    text if isinstance(text, str) else "",
                    output,
                    sender_id,
                    input_channel=self.name(),
                    metadata=visitor_metadata(data.get(self.metadata_key)),
                )
            )

        async def visitor_typing(sid: Text, *args: Any) -> None:
            data = args[0] if args else None
            if not self.session_persistence or not isinstance(data, dict):
                return
            sender_id = keys.conversation(data.get("session_id"))
            if sender_id is not None:
                await self.typing.relay(running_agent(), sender_id)

        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(TYPING_EVENT, visitor_typing, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return blueprint
