"""What every messaging channel of the project shares: a verified webhook, and replies.

A channel (``channels/facebook.py``, ``slack.py``, ``telegram.py``, ``twilio.py``,
``whatsapp.py``) reads its requests with :mod:`channels.payload`, posts with
:class:`channels.platform_api.PlatformAPI`, and subclasses :class:`WebhookInput` and
:class:`WebhookOutput`, saying only what is particular to its platform: which settings it
needs, how a request is signed, where the messages are in a payload, and how a reply is
posted. This module does the rest:

- **Off when unconfigured.** A channel whose settings (from ``credentials.yml``, from
  environment variables) are empty is off: its webhook answers 404 with a short JSON reason
  and never passes anything to Rasa, and the server still starts. One INFO line per
  channel says whether it is on.
- **Verified before anything else.** The signature is checked on the raw body, in constant
  time; a missing signature gets 401, a wrong one 403, and the message goes nowhere.
- **Errors stay here.** A payload that cannot be read gets 400 (not a 500 and a stack
  trace); the platform gets its answer at once and the messages are handled in the
  background, so an error while handling one, or while sending a reply to the platform's
  API, is logged and never reaches the platform.
- **Conversations namespaced per channel.** A message of platform user (or chat) ``123`` is
  handed to Rasa as sender ``<channel>:123`` (``channels/senders.py``), and the replies go
  to ``123``: no other channel can write into that conversation. A sender id that is not a
  short string or number without spaces gets 400.
- **Buttons.** A reply that picks an offered button by number or title is replaced by that
  button's payload before Rasa sees it (``channels/buttons.py``); buttons a platform cannot
  show become a numbered list.
- **One HTTP session per channel** (aiohttp), reused for every reply, with a time limit.

Message texts are never logged above DEBUG, and a conversation is named in the log by its
sender tag (``stores/sender_tag.py``), never by its sender id (a phone number).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import (
    Any,
    Awaitable,
    Callable,
    ClassVar,
    Dict,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Union,
)

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.buttons import Button, buttons_offered_to, numbered_list, parse_buttons, resolve
from channels.limits import guarded
from channels.payload import WebhookError
from channels.platform_api import PlatformAPI
from channels.senders import conversation_id, platform_id
from stores.sender_tag import sender_tag

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def split_text(text: str, limit: int) -> List[str]:
    """``text`` cut into parts of at most ``limit`` characters.

    Cut at a blank line if there is one, else at a line break, else at a space.
    """
    text = text.strip()
    parts: List[str] = []
    while len(text) > limit:
        cut = next(
            (at for sep in ("\n\n", "\n", " ") if (at := text.rfind(sep, 0, limit)) > 0), limit
        )
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts


@dataclass
class Incoming:
    """A message of a visitor found in a verified webhook request.

    Attributes:
        sender_id: the platform's id of the user or chat (a Telegram chat id, a phone
            number); Rasa keeps the conversation as ``<channel>:<sender_id>``.
        text: what the visitor wrote (maybe blank: it gets ``utter_message_empty``), or the
            payload of the button they pressed.
        output: where the assistant's replies to this message go.
        is_payload: ``text`` is already a button's payload (a pressed button): it is not
            read as a choice among offered buttons.
        before: something to do before the message is handled (e.g. acknowledge a press).
    """

    sender_id: str
    text: str
    output: OutputChannel
    is_payload: bool = False
    before: Optional[Callable[[], Awaitable[Any]]] = None


class WebhookOutput(OutputChannel):
    """Replies to a visitor through a platform's API.

    A subclass posts one message (:meth:`post_message`) and says which buttons its
    platform can show (:meth:`shows`); buttons it cannot show are sent as a numbered list,
    and a text longer than the platform takes is sent in parts, the buttons with the last.
    """

    #: Characters the platform takes in one message.
    max_text_length: ClassVar[int] = 4096

    def __init__(self, api: PlatformAPI) -> None:
        self.api = api

    def shows(self, text: str, buttons: Sequence[Button]) -> bool:
        """Whether the platform can show these buttons with this text (default: no)."""
        return False

    async def post_message(self, recipient_id: str, text: str, buttons: Sequence[Button]) -> None:
        """Post one message, with these buttons shown by the platform if any."""
        raise NotImplementedError

    async def send(self, recipient_id: str, text: str, buttons: Sequence[Button] = ()) -> None:
        """Send ``text`` with ``buttons``: shown by the platform, or as a numbered list.

        ``recipient_id`` is the conversation's sender id (``<channel>:<platform id>``) or the
        platform's id; the platform is given its own id.
        """
        recipient_id = platform_id(self.name(), recipient_id)
        if buttons and not self.shows(text, buttons):
            text, buttons = numbered_list(text, buttons), ()
        parts = split_text(text, self.max_text_length)
        for number, part in enumerate(parts, 1):
            await self.post_message(recipient_id, part, buttons if number == len(parts) else ())

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send a text."""
        await self.send(recipient_id, text)

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: List[Dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        """Send a text with buttons."""
        await self.send(recipient_id, text, parse_buttons(buttons))


class WebhookInput(InputChannel):
    """A verified webhook at ``/webhooks/<name>/webhook`` (see the module's description).

    A subclass names its settings (:attr:`required`, :attr:`optional`: key in
    ``credentials.yml`` → environment variable) and implements :meth:`create_api`,
    :meth:`authenticate` and :meth:`parse`; :meth:`verify_subscription` and
    :meth:`accepted` when its platform needs them.
    """

    #: Settings the channel needs to be on: key in ``credentials.yml`` → variable.
    required: ClassVar[Dict[str, str]] = {}
    #: Settings it can do without.
    optional: ClassVar[Dict[str, str]] = {}

    def __init__(self, config: Optional[Mapping[str, Any]] = None) -> None:
        given = config or {}
        self.settings: Dict[str, str] = {
            key: str(given.get(key) or "").strip() for key in {**self.required, **self.optional}
        }
        self.pending: Set[asyncio.Task] = set()
        self._api: Optional[PlatformAPI] = None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """The channel with its entry of ``credentials.yml`` (empty values: off)."""
        return cls(credentials or {})

    @property
    def missing(self) -> List[str]:
        """The environment variables of the required settings that are empty."""
        return [variable for key, variable in self.required.items() if not self.settings[key]]

    @property
    def enabled(self) -> bool:
        """Whether every required setting is given."""
        return not self.missing

    @property
    def api(self) -> PlatformAPI:
        """The platform's outgoing API, created on first use."""
        if self._api is None:
            self._api = self.create_api()
        return self._api

    # What each platform says.

    def create_api(self) -> PlatformAPI:
        """The platform's outgoing API, at its base URL from ``channels.settings``."""
        raise NotImplementedError

    def authenticate(self, request: Request, body: bytes) -> None:
        """Check the request's signature.

        Raises:
            MissingSignatureError: there is none.
            WrongSignatureError: it is wrong (or too old).
        """
        raise NotImplementedError

    def parse(self, request: Request, body: bytes) -> Union[List[Incoming], HTTPResponse]:
        """The visitors' messages in a verified request, or the answer to one with none.

        Raises:
            BadPayloadError: the body is not the platform's payload.
        """
        raise NotImplementedError

    def verify_subscription(self, request: Request) -> HTTPResponse:
        """Answer a GET on the webhook (the platform's verification, if it has one)."""
        return error_response(405, "use POST")

    def accepted(self) -> HTTPResponse:
        """The answer to a verified POST."""
        return response.json({"status": "ok"})

    # Shared behaviour.

    def off_response(self) -> HTTPResponse:
        """404: the channel is off on this server."""
        return error_response(404, f"the {self.name()} channel is not configured on this server")

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """The webhook's routes: ``/`` (health) and ``/webhook`` (GET and POST)."""
        self.log_state()
        # Empty and over-long messages get a polite answer (channels/limits.py).
        on_new_message = guarded(on_new_message)
        hook = Blueprint(f"clinic_{self.name()}_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"}) if self.enabled else self.off_response()

        @hook.route("/webhook", methods=["GET", "POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return await self.handle(request, on_new_message)

        @hook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            if self._api is not None:
                await self._api.close()

        return hook

    def log_state(self) -> None:
        """One INFO line: whether the channel is on, or which variables turn it on."""
        if self.enabled:
            logger.info("Channel %s: on (/webhooks/%s/webhook)", self.name(), self.name())
        else:
            logger.info(
                "Channel %s: off (%s empty; its webhook answers 404)",
                self.name(),
                ", ".join(self.missing),
            )

    async def handle(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        """Answer a request on the webhook; hand its messages to Rasa in the background."""
        if not self.enabled:
            return self.off_response()
        try:
            if request.method == "GET":
                return self.verify_subscription(request)
            body = request.body or b""
            self.authenticate(request, body)
            parsed = self.parse(request, body)
        except WebhookError as error:
            logger.warning("%s webhook: refused (%s): %s", self.name(), error.status, error.reason)
            return error_response(error.status, error.reason)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
            logger.warning(
                "%s webhook: payload not understood (%s)", self.name(), type(error).__name__
            )
            return error_response(400, "payload not understood")
        if isinstance(parsed, HTTPResponse):
            return parsed
        if parsed:
            agent = getattr(request.app.ctx, "agent", None)
            task = asyncio.create_task(self.process(agent, parsed, on_new_message))
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)
        return self.accepted()

    async def process(
        self, agent: Any, messages: Sequence[Incoming], on_new_message: OnNewMessage
    ) -> None:
        """Hand the messages to Rasa one after the other; log what fails."""
        for message in messages:
            sender_id = conversation_id(self.name(), message.sender_id)
            try:
                if message.before is not None:
                    await message.before()
                text = message.text
                if not message.is_payload:
                    text = resolve(text, await buttons_offered_to(agent, sender_id))
                logger.debug("%s: message from %s: %r", self.name(), sender_id, text)
                await on_new_message(
                    UserMessage(text, message.output, sender_id, input_channel=self.name())
                )
            except Exception as error:
                # The error's text may hold the sender id or the words: only at DEBUG.
                logger.error(
                    "%s: a message from sender %s could not be handled: %s",
                    self.name(),
                    sender_tag(sender_id),
                    type(error).__name__,
                )
                logger.debug("%s: the error", self.name(), exc_info=True)


def error_response(status: int, reason: str) -> HTTPResponse:
    """A short JSON answer ``{"error": reason}`` with ``status``."""
    return response.json({"error": reason}, status=status)
