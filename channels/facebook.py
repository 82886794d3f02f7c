"""Facebook Messenger: a Page's conversations, through Meta's Graph API webhooks.

- GET ``/webhooks/facebook/webhook``: Meta's verification (``hub.verify_token``).
- POST: signed with ``X-Hub-Signature-256`` (the app secret). Handled: ``entry[].messaging[]``
  events with ``message.text`` (a blank one gets ``utter_message_empty``),
  ``message.quick_reply.payload`` and ``postback.payload``; echoes of the Page's own
  messages, deliveries, reads and attachments without text are ignored. A payload whose
  fields have the wrong types gets 400. An event whose ``mid`` was received before is not
  handled again (``channels/deliveries.py``).
- Replies: ``POST {FACEBOOK_API_URL}/me/messages?access_token=<page token>``; buttons as quick
  replies (at most 13, titles of at most 20 characters; beyond that, a numbered list).

Settings (``credentials.yml``): ``verify_token``, ``app_secret``, ``page_access_token``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Optional, Sequence, Text

from rasa.core.channels.channel import OutputChannel
from sanic.request import Request

from channels import meta_webhook, settings
from channels.buttons import Button
from channels.payload import BadPayloadError, delivery_id_of, json_body, sender_of, text_of
from channels.platform_api import PlatformAPI
from channels.webhook import Incoming, WebhookOutput

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


class MessengerInput(meta_webhook.MetaWebhookInput):
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
        BadPayloadError: ``entry`` is not a list of objects, ``messaging`` not a list of
            objects, or a field has the wrong type.
    """
    if payload.get("object") != "page":
        return []
    entries = payload.get("entry")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise BadPayloadError("no entry list")
    found: List[Incoming] = []
    for entry in entries:
        events = entry.get("messaging") or []
        if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
            raise BadPayloadError("messaging is not a list of events")
        for event in events:
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
        mid = message.get("mid")
        quick_reply = message.get("quick_reply") or {}
        if not isinstance(quick_reply, dict):
            raise BadPayloadError("quick_reply is not an object")
        if quick_reply.get("payload"):
            text, is_payload = text_of(quick_reply["payload"], "payload"), True
        elif "text" in message:
            text, is_payload = text_of(message["text"]), False  # blank: utter_message_empty
        else:
            return None  # a sticker, an image, ...
    elif isinstance(postback, dict) and postback.get("payload"):
        text, is_payload = text_of(postback["payload"], "payload"), True
        mid = postback.get("mid")
    else:
        return None  # a delivery, a read, a reaction, ...
    sender = event.get("sender")
    if not isinstance(sender, dict):
        raise BadPayloadError("no sender")
    return Incoming(
        sender_of(sender.get("id")),
        text,
        output,
        is_payload=is_payload,
        delivery_id=delivery_id_of(mid),
    )
