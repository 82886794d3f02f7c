"""Telegram: a bot's chats, through the Bot API's webhook.

- POST ``/webhooks/telegram/webhook``: Telegram sends ``X-Telegram-Bot-Api-Secret-Token``,
  the ``secret_token`` given to ``setWebhook``; it must equal ``TELEGRAM_SECRET_TOKEN``.
- Handled: ``message.text`` (``/start``, which Telegram sends when a visitor opens the bot,
  becomes a greeting; a blank text gets ``utter_message_empty``) and ``callback_query.data``
  (answered with ``answerCallbackQuery``). Edited messages, messages of bots and anything
  that is not text are ignored; fields of the wrong type get 400. An update whose
  ``update_id`` was received before is not handled again (``channels/deliveries.py``).
- Replies: ``POST {TELEGRAM_API_URL}/bot<token>/sendMessage`` with ``chat_id``, ``text`` and,
  for buttons, a ``ReplyKeyboardMarkup`` of the buttons' titles (``callback_data`` takes at
  most 64 bytes; the assistant's payloads are whole questions). A title typed back, by
  pressing its key or by hand, picks that button (``channels/buttons.py``), as does its
  number.

Settings (``credentials.yml``): ``bot_token``, ``secret_token``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Dict, List, Optional, Sequence, Text, Union

from rasa.core.channels.channel import OutputChannel
from sanic.request import Request

from channels import settings
from channels.buttons import Button
from channels.payload import (
    BadPayloadError,
    check_signature,
    delivery_id_of,
    json_body,
    sender_of,
    text_of,
)
from channels.platform_api import PlatformAPI
from channels.webhook import Incoming, WebhookInput, WebhookOutput

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: What ``/start`` (Telegram's first message of a chat) is passed to the assistant as.
START_GREETING = "Hello"

_START = re.compile(r"^/start(?:@\w+)?(?:\s.*)?$", re.DOTALL)


def check_secret_token(secret_token: str, header: Optional[str]) -> None:
    """Accept the request if ``header`` is the webhook's secret token.

    Raises:
        MissingSignatureError: no ``X-Telegram-Bot-Api-Secret-Token``.
        WrongSignatureError: it is another token.
    """
    check_signature(header, secret_token, SECRET_HEADER)


def chat_id(value: str) -> Union[int, str]:
    """A chat id as the Bot API documents it: an integer (or an ``@channel`` name)."""
    return int(value) if re.fullmatch(r"-?\d+", value) else value


class TelegramOutput(WebhookOutput):
    """Replies with ``sendMessage``, buttons as a one-time reply keyboard."""

    max_text_length = 4096

    @classmethod
    def name(cls) -> Text:
        """The channel's name."""
        return "telegram"

    def __init__(self, api: PlatformAPI, bot_token: str) -> None:
        super().__init__(api)
        self.bot_token = bot_token

    def shows(self, text: str, buttons: Sequence[Button]) -> bool:
        """A reply keyboard shows any buttons (one per row)."""
        return True

    async def post_message(self, recipient_id: str, text: str, buttons: Sequence[Button]) -> None:
        """One ``sendMessage``."""
        body: Dict[str, Any] = {"chat_id": chat_id(recipient_id), "text": text}
        if buttons:
            body["reply_markup"] = {
                "keyboard": [[{"text": b.title}] for b in buttons],
                "one_time_keyboard": True,
                "resize_keyboard": True,
            }
        await self.api.post(f"/bot{self.bot_token}/sendMessage", json=body)

    async def answer_callback(self, callback_query_id: str) -> None:
        """``answerCallbackQuery``: stops the client's progress indicator on a pressed key."""
        await self.api.post(
            f"/bot{self.bot_token}/answerCallbackQuery",
            json={"callback_query_id": callback_query_id},
        )


class TelegramInput(WebhookInput):
    """The Telegram webhook (see the module's description)."""

    required: ClassVar[Dict[str, str]] = {
        "bot_token": "TELEGRAM_BOT_TOKEN",
        "secret_token": "TELEGRAM_SECRET_TOKEN",
    }

    @classmethod
    def name(cls) -> Text:
        """``/webhooks/telegram/webhook``."""
        return "telegram"

    def create_api(self) -> PlatformAPI:
        """The Bot API at ``TELEGRAM_API_URL`` (the token is in each path)."""
        return PlatformAPI(
            "telegram", settings.api_url("telegram"), secrets=[self.settings["bot_token"]]
        )

    def output(self) -> TelegramOutput:
        """Where replies go."""
        return TelegramOutput(self.api, self.settings["bot_token"])

    def get_output_channel(self) -> Optional[OutputChannel]:
        """Replies to a chat id (the sender id), for messages Rasa sends unasked."""
        return self.output() if self.enabled else None

    def authenticate(self, request: Request, body: bytes) -> None:
        """``X-Telegram-Bot-Api-Secret-Token``."""
        check_secret_token(self.settings["secret_token"], request.headers.get(SECRET_HEADER))

    def parse(self, request: Request, body: bytes) -> List[Incoming]:
        """The visitor's message in an update."""
        return parse_update(json_body(body), self.output())


def _object(value: Any, what: str) -> Dict[str, Any]:
    """``value`` if it is a JSON object (missing: an empty one)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadPayloadError(f"{what} is not an object")
    return value


def parse_update(update: Dict[str, Any], output: TelegramOutput) -> List[Incoming]:
    """The message in a Telegram update: a text message, or a pressed inline key.

    Raises:
        BadPayloadError: a field has the wrong type, or there is no chat id.
    """
    update_id = delivery_id_of(update.get("update_id"))
    message = update.get("message")
    if message is not None:
        message = _object(message, "message")
        if _object(message.get("from"), "from").get("is_bot") or "text" not in message:
            return []  # a bot's message, a photo, a sticker, ...
        text = text_of(message["text"])  # blank: utter_message_empty
        if _START.match(text.strip()):
            text = START_GREETING
        chat = sender_of(_object(message.get("chat"), "chat").get("id"))
        return [Incoming(chat, text, output, delivery_id=update_id)]
    query = update.get("callback_query")
    if isinstance(query, dict) and query.get("data"):
        chat_id = _object(_object(query.get("message"), "message").get("chat"), "chat").get("id")
        if chat_id is None:
            chat_id = _object(query.get("from"), "from").get("id")
        query_id = sender_of(query.get("id"))
        data = text_of(query["data"], "callback data")

        async def acknowledge() -> None:
            await output.answer_callback(query_id)

        return [
            Incoming(
                sender_of(chat_id),
                data,
                output,
                is_payload=True,
                before=acknowledge,
                delivery_id=update_id,
            )
        ]
    return []  # an edited message, a channel post, ...
