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
  API, is logged and never reaches the platform. A message the assistant cannot handle
  (its conversation database is away, even after waiting ``DATABASE_WAIT_SECONDS``) gets
  the "try again" answer with the emergency number, as on the REST channel
  (``channels/limits.py``), and the next messages of the same request are still handled.
- **Each message once.** A message the platform delivers again (a retry, the same event in
  another batch) is acknowledged and not handled again, by the platform's id of it; a
  retry of one whose handling failed is handled (``channels/deliveries.py``).
- **Nothing acknowledged is dropped at a stop.** A stopping server finishes the messages it
  is still handling (at most ``CHANNEL_STOP_SECONDS``, shared by the channels); those it
  must stop are released, so that a redelivery of them is handled.
- **Conversations namespaced per channel.** A message of platform user (or chat) ``123`` is
  handed to Rasa as sender ``<channel>:123`` (``channels/senders.py``), and the replies go
  to ``123``: no other channel can write into that conversation. A sender id that is not a
  short string or number without spaces gets 400.
- **Messages sent unasked** (a staff member's, in the live handoff, ``channels/handoff.py``)
  go through :meth:`WebhookInput.output_for` of the conversation: the channel's
  ``get_output_channel()``, to the conversation's sender id (the prefix removed), or
  Twilio's, from the number the visitor last wrote to.
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
import time
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
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.buttons import Button, buttons_offered_to, numbered_list, parse_buttons, resolve
from channels.deliveries import Deliveries
from channels.limits import FAILED, FAILURE_RESPONSE, answer, guarded
from channels.payload import WebhookError
from channels.platform_api import PlatformAPI
from channels.senders import conversation_id, platform_id
from channels.settings import DeliverySettings
from stores.sender_tag import sender_tag
from stores.tracker import StoreUnavailable

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
        delivery_id: the platform's id of this message (Slack's ``event_id``, Messenger's
            ``mid``, ...), by which a second delivery of it is recognised; None: none.
        metadata: what the channel keeps with the message in the conversation (Twilio:
            the number the visitor wrote to, which messages sent unasked come from).
    """

    sender_id: str
    text: str
    output: OutputChannel
    is_payload: bool = False
    before: Optional[Callable[[], Awaitable[Any]]] = None
    delivery_id: Optional[str] = None
    metadata: Optional[Dict[str, Any]] = None


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
        self.delivery_settings = DeliverySettings.from_env()
        self.deliveries = Deliveries(self.name(), self.delivery_settings)

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

    def output_for(self, tracker: DialogueStateTracker) -> Optional[OutputChannel]:
        """Where messages to the conversation of ``tracker`` go when the visitor did not
        just write (the live handoff's staff messages): :meth:`get_output_channel`, the
        recipient being the conversation's sender id; None when the channel cannot send."""
        return self.get_output_channel()

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

        @hook.listener("before_server_stop")
        async def finish(app: Sanic, _: Any) -> None:
            await self.finish_pending(self.stop_deadline(app))

        @hook.listener("after_server_stop")
        async def close(app: Sanic, _: Any) -> None:
            # Requests still being read when the server stopped listening.
            await self.finish_pending(self.stop_deadline(app))
            await self.deliveries.close()
            if self._api is not None:
                await self._api.close()

        return hook

    def stop_deadline(self, app: Sanic) -> float:
        """When a stopping server stops waiting for messages: ``CHANNEL_STOP_SECONDS`` after
        the first channel began waiting (one wait for all channels)."""
        deadline: Optional[float] = getattr(app.ctx, "channels_stop_deadline", None)
        if deadline is None:
            deadline = time.monotonic() + self.delivery_settings.stop_seconds
            app.ctx.channels_stop_deadline = deadline
        return deadline

    async def finish_pending(self, deadline: float) -> None:
        """Wait for the messages still being handled, until ``deadline``; then stop the rest,
        whose deliveries are released (:meth:`process`), so that a redelivery is handled."""
        if self.pending:
            logger.info(
                "%s: finishing %d webhook request(s) before the server stops",
                self.name(),
                len(self.pending),
            )
        while self.pending and (left := deadline - time.monotonic()) > 0:
            await asyncio.wait(set(self.pending), timeout=left)
        if self.pending:
            stopped = list(self.pending)
            logger.warning(
                "%s: %d webhook request(s) still being handled after %g s; stopped, their "
                "messages not answered (a redelivery of them will be handled)",
                self.name(),
                len(stopped),
                self.delivery_settings.stop_seconds,
            )
            for task in stopped:
                task.cancel()
            await asyncio.gather(*stopped, return_exceptions=True)

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
        new = [message for message in parsed if await self.first_delivery(message)]
        if new:
            agent = getattr(request.app.ctx, "agent", None)
            task = asyncio.create_task(self.process(agent, new, on_new_message))
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)
        return self.accepted()

    async def first_delivery(self, message: Incoming) -> bool:
        """Whether ``message`` is to be handled: not received before (it is claimed)."""
        if message.delivery_id is None or await self.deliveries.claim(message.delivery_id):
            return True
        logger.info(
            "%s: delivery %s received before; acknowledged, not handled again",
            self.name(),
            message.delivery_id,
        )
        return False

    async def process(
        self, agent: Any, messages: Sequence[Incoming], on_new_message: OnNewMessage
    ) -> None:
        """Hand the messages to Rasa one after the other; each delivery is then marked done,
        or released if it was not handled (a failure, or the server stopped first)."""
        settled = 0
        try:
            for message in messages:
                handled = await self.hand_over(agent, message, on_new_message)
                settled += 1
                await self.settle(message, handled)
        finally:
            for message in messages[settled:]:
                await self.settle(message, False)

    async def settle(self, message: Incoming, handled: bool) -> None:
        """Mark the message's delivery done, or release it."""
        if message.delivery_id is None:
            return
        if handled:
            await self.deliveries.done(message.delivery_id)
        else:
            await self.deliveries.release(message.delivery_id)

    async def hand_over(self, agent: Any, message: Incoming, on_new_message: OnNewMessage) -> bool:
        """Hand one message to Rasa; whether it was handled.

        A failure is logged and gets the "try again" answer (``channels/limits.py``), also
        when the conversation cannot be read to find the buttons offered (the database is
        away: :class:`~stores.tracker.StoreUnavailable`, after its wait).
        """
        sender_id = conversation_id(self.name(), message.sender_id)
        try:
            if message.before is not None:
                await message.before()
            text = message.text
            if not message.is_payload:
                text = resolve(text, await buttons_offered_to(agent, sender_id))
            logger.debug("%s: message from %s: %r", self.name(), sender_id, text)
            outcome = await on_new_message(
                UserMessage(
                    text,
                    message.output,
                    sender_id,
                    input_channel=self.name(),
                    metadata=message.metadata,
                )
            )
            return outcome is not FAILED  # FAILED: the visitor was told to try again
        except (Exception, StoreUnavailable) as error:
            # The error's text and traceback may hold the sender id or the words: only at
            # DEBUG.
            logger.error(
                "%s: a message from sender %s could not be handled: %s",
                self.name(),
                sender_tag(sender_id),
                type(error).__name__,
            )
            logger.debug("%s: the error", self.name(), exc_info=True)
        try:
            await answer(message.output, sender_id, FAILURE_RESPONSE)
        except Exception:
            logger.error("%s: the 'try again' answer could not be sent.", self.name())
            logger.debug("%s: the error", self.name(), exc_info=True)
        return False


def error_response(status: int, reason: str) -> HTTPResponse:
    """A short JSON answer ``{"error": reason}`` with ``status``."""
    return response.json({"error": reason}, status=status)
