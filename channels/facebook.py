"""Facebook Messenger: a Page's conversations, through Meta's Graph API webhooks.

- GET ``/webhooks/facebook/webhook``: Meta's verification (``hub.verify_token``).
- POST: signed with ``X-Hub-Signature-256`` (the app secret). Handled: ``entry[].messaging[]``
  events with ``message.text``, ``message.quick_reply.payload`` and ``postback.payload``;
  echoes of the Page's own messages, deliveries and reads are ignored.
- Replies: ``POST {FACEBOOK_API_URL}/me/messages?access_token=<page token>``; buttons as quick
  replies (at most 13, titles of at most 20 characters; beyond that, a numbered list).

Settings (``credentials.yml``): ``verify_token``, ``app_secret``, ``page_access_token``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Optional, Sequence, Text

from rasa.core.channels.channel import OutputChannel
from sanic.request import Request

from channels import meta, settings
from channels.buttons import Button
from channels.webhook import (
    BadPayloadError,
    Incoming,
    PlatformAPI,
    WebhookOutput,
    json_body,
)

#: Messenger's limits for quick replies.
MAX_QUICK_REPLIES = 13
MAX_QUICK_REPLY_TITLE = 20
MAX_QUICK_REPLY_PAYLOAD = 1000


class MessengerOutput(WebhookOutput):
    """Replies through the Send API, buttons as quick replies."""

    max_text_length = 2000

    @classmethod
    def name(cls) -> Text:
        """The channel's name."""
        return "facebook"

    def __init__(self, api: PlatformAPI, page_access_token: str) -> None:
        super().__init__(api)
        self.page_access_token = page_access_token

    def shows(self, text: str, buttons: Sequence[Button]) -> bool:
        """Quick replies: at most 13, titles of at most 20 characters."""
        return len(buttons) <= MAX_QUICK_REPLIES and all(
            len(b.title) <= MAX_QUICK_REPLY_TITLE and 0 < len(b.payload) <= MAX_QUICK_REPLY_PAYLOAD
            for b in buttons
        )

    async def post_message(self, recipient_id: str, text: str, buttons: Sequence[Button]) -> None:
        """One message of the Send API."""
        message: Dict[str, Any] = {"text": text}
        if buttons:
            message["quick_replies"] = [
                {"content_type": "text", "title": b.title, "payload": b.payload} for b in buttons
            ]
        await self.api.post(
            "/me/messages",
            params={"access_token": self.page_access_token},
            json={
                "recipient": {"id": recipient_id},
                "messaging_type": "RESPONSE",
                "message": message,
            },
        )


class MessengerInput(meta.MetaWebhookInput):
    """The Messenger webhook (see the module's description)."""

    required: ClassVar[Dict[str, str]] = {
        "verify_token": "FACEBOOK_VERIFY_TOKEN",
        "app_secret": "FACEBOOK_APP_SECRET",
        "page_access_token": "FACEBOOK_PAGE_ACCESS_TOKEN",
    }

    @classmethod
    def name(cls) -> Text:
        """``/webhooks/facebook/webhook``."""
        return "facebook"

    def create_api(self) -> PlatformAPI:
        """The Graph API at ``FACEBOOK_API_URL``."""
        return PlatformAPI(
            "facebook",
            settings.api_url("facebook"),
            secrets=[self.settings["page_access_token"]],
        )

    def output(self) -> MessengerOutput:
        """Where replies go."""
        return MessengerOutput(self.api, self.settings["page_access_token"])

    def get_output_channel(self) -> Optional[OutputChannel]:
        """Replies to a Page-scoped id (the sender id), for messages Rasa sends unasked."""
        return self.output() if self.enabled else None

    def parse(self, request: Request, body: bytes) -> List[Incoming]:
        """The visitors' messages in a Page webhook."""
        return parse_messenger(json_body(body), self.output())


def parse_messenger(payload: Dict[str, Any], output: OutputChannel) -> List[Incoming]:
    """The messages in a Messenger webhook payload (``object: page``).

    Raises:
        BadPayloadError: ``entry`` is not a list.
    """
    if payload.get("object") != "page":
        return []
    entries = payload.get("entry")
    if not isinstance(entries, list):
        raise BadPayloadError("no entry list")
    found: List[Incoming] = []
    for entry in entries:
        for event in entry.get("messaging") or []:
            incoming = _messenger_event(event, output)
            if incoming is not None:
                found.append(incoming)
    return found


def _messenger_event(event: Dict[str, Any], output: OutputChannel) -> Optional[Incoming]:
    message = event.get("message")
    postback = event.get("postback")
    if isinstance(message, dict):
        if message.get("is_echo"):
            return None
        quick_reply = message.get("quick_reply") or {}
        if quick_reply.get("payload"):
            text, is_payload = str(quick_reply["payload"]), True
        elif isinstance(message.get("text"), str) and message["text"].strip():
            text, is_payload = message["text"], False
        else:
            return None  # a sticker, an image, ...
    elif isinstance(postback, dict) and postback.get("payload"):
        text, is_payload = str(postback["payload"]), True
    else:
        return None  # a delivery, a read, a reaction, ...
    return Incoming(str(event["sender"]["id"]), text, output, is_payload=is_payload)
