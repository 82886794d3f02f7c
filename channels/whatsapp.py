"""WhatsApp Cloud API: a WhatsApp Business number's chats, through Meta's Graph API.

- GET ``/webhooks/whatsapp/webhook``: Meta's verification (``hub.verify_token``).
- POST: signed with ``X-Hub-Signature-256`` (the app secret). Handled:
  ``entry[].changes[].value.messages[]`` sent to this phone number id, of type ``text``
  (``text.body``), ``interactive`` (``button_reply.id``, ``list_reply.id``) and ``button``
  (``button.payload``, a template's quick reply); a blank text gets
  ``utter_message_empty``. Delivery and read ``statuses`` and other message types (images,
  locations, ...) are ignored; fields of the wrong type get 400. A message whose ``id``
  (``wamid.…``) was received before is not handled again (``channels/deliveries.py``).
- Replies: ``POST {WHATSAPP_API_URL}/<phone number id>/messages`` with ``Authorization:
  Bearer <access token>``. Buttons:

  * up to 3, titles of at most 20 characters: an interactive ``button`` message;
  * up to 10, titles of at most 24 characters: an interactive ``list`` message (a
    "Choose" button opens the list);
  * otherwise, or with a text longer than an interactive message takes (1024
    characters): a text with a numbered list.

  A reply's id is the button's payload, or ``#<number>`` when the payload is too long for
  an id (256 characters for a button, 200 for a list row): ``channels/buttons.py`` reads
  ``#2`` as the second of the buttons offered.

Settings (``credentials.yml``): ``verify_token``, ``app_secret``, ``access_token``,
``phone_number_id``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Dict, List, Optional, Sequence, Text

from rasa.core.channels.channel import OutputChannel
from sanic.request import Request

from channels import meta_webhook, settings
from channels.buttons import Button
from channels.payload import BadPayloadError, delivery_id_of, json_body, sender_of, text_of
from channels.platform_api import PlatformAPI
from channels.webhook import Incoming, WebhookOutput

#: The Cloud API's limits for interactive messages.
MAX_REPLY_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_ID = 200
MAX_INTERACTIVE_BODY = 1024
#: The label of the button that opens a list message (at most 20 characters).
LIST_BUTTON_LABEL = "Choose"

_INDEX_ID = re.compile(r"^#\d{1,3}$")


def reply_ids(buttons: Sequence[Button], max_length: int) -> List[str]:
    """An id per button: its payload, or ``#<number>`` if too long or not unique."""
    payloads = [b.payload for b in buttons]
    return [
        payload
        if 0 < len(payload) <= max_length
        and payloads.count(payload) == 1
        and not _INDEX_ID.match(payload)
        else f"#{number}"
        for number, payload in enumerate(payloads, 1)
    ]


def fits_buttons(buttons: Sequence[Button]) -> bool:
    """Whether these buttons can be reply buttons of a ``button`` message."""
    return len(buttons) <= MAX_REPLY_BUTTONS and all(
        len(b.title) <= MAX_BUTTON_TITLE for b in buttons
    )


def fits_list(buttons: Sequence[Button]) -> bool:
    """Whether these buttons can be the rows of a ``list`` message."""
    return len(buttons) <= MAX_LIST_ROWS and all(len(b.title) <= MAX_ROW_TITLE for b in buttons)


def interactive(text: str, buttons: Sequence[Button]) -> Dict[str, Any]:
    """The ``interactive`` object of a button or list message (see :func:`fits_buttons`)."""
    if fits_buttons(buttons):
        ids = reply_ids(buttons, MAX_BUTTON_ID)
        return {
            "type": "button",
            "body": {"text": text},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": id_, "title": b.title}}
                    for id_, b in zip(ids, buttons, strict=True)
                ]
            },
        }
    ids = reply_ids(buttons, MAX_ROW_ID)
    return {
        "type": "list",
        "body": {"text": text},
        "action": {
            "button": LIST_BUTTON_LABEL,
            "sections": [
                {
                    "rows": [
                        {"id": id_, "title": b.title} for id_, b in zip(ids, buttons, strict=True)
                    ]
                }
            ],
        },
    }


class WhatsAppOutput(WebhookOutput):
    """Replies with the Cloud API's messages endpoint."""

    max_text_length = 4096

    @classmethod
    def name(cls) -> Text:
        """The channel's name."""
        return "whatsapp"

    def __init__(self, api: PlatformAPI, phone_number_id: str) -> None:
        super().__init__(api)
        self.phone_number_id = phone_number_id

    def shows(self, text: str, buttons: Sequence[Button]) -> bool:
        """Reply buttons or a list, when the text fits an interactive message."""
        return len(text) <= MAX_INTERACTIVE_BODY and (fits_buttons(buttons) or fits_list(buttons))

    async def post_message(self, recipient_id: str, text: str, buttons: Sequence[Button]) -> None:
        """One message: a text, or an interactive message with the buttons."""
        body: Dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": recipient_id,
        }
        if buttons:
            body.update(type="interactive", interactive=interactive(text, buttons))
        else:
            body.update(type="text", text={"body": text, "preview_url": False})
        await self.api.post(f"/{self.phone_number_id}/messages", json=body)


class WhatsAppInput(meta_webhook.MetaWebhookInput):
    """The WhatsApp Cloud API webhook (see the module's description)."""

    required: ClassVar[Dict[str, str]] = {
        "verify_token": "WHATSAPP_VERIFY_TOKEN",
        "app_secret": "WHATSAPP_APP_SECRET",
        "access_token": "WHATSAPP_ACCESS_TOKEN",
        "phone_number_id": "WHATSAPP_PHONE_NUMBER_ID",
    }

    @classmethod
    def name(cls) -> Text:
        """``/webhooks/whatsapp/webhook``."""
        return "whatsapp"

    def create_api(self) -> PlatformAPI:
        """The Graph API at ``WHATSAPP_API_URL``, with the access token."""
        token = self.settings["access_token"]
        return PlatformAPI(
            "whatsapp",
            settings.api_url("whatsapp"),
            headers={"Authorization": f"Bearer {token}"},
            secrets=[token],
        )

    def output(self) -> WhatsAppOutput:
        """Where replies go."""
        return WhatsAppOutput(self.api, self.settings["phone_number_id"])

    def get_output_channel(self) -> Optional[OutputChannel]:
        """Replies to a WhatsApp id (the sender id), for messages Rasa sends unasked."""
        return self.output() if self.enabled else None

    def parse(self, request: Request, body: bytes) -> List[Incoming]:
        """The visitors' messages to this number."""
        return parse_whatsapp(json_body(body), self.output(), self.settings["phone_number_id"])


def parse_whatsapp(
    payload: Dict[str, Any], output: OutputChannel, phone_number_id: str
) -> List[Incoming]:
    """The messages to ``phone_number_id`` in a WhatsApp Business Account webhook.

    Raises:
        BadPayloadError: ``entry``, ``changes`` or ``messages`` is not a list of objects, or
            a field has the wrong type.
    """
    if payload.get("object") != "whatsapp_business_account":
        return []
    found: List[Incoming] = []
    for entry in _objects(payload.get("entry"), "entry", required=True):
        for change in _objects(entry.get("changes"), "changes"):
            value = change.get("value") or {}
            if change.get("field") != "messages":
                continue
            if not isinstance(value, dict):
                raise BadPayloadError("value is not an object")
            if str((value.get("metadata") or {}).get("phone_number_id")) != phone_number_id:
                continue  # another number of the same business account
            for message in _objects(value.get("messages"), "messages"):
                incoming = _whatsapp_message(message, output)
                if incoming is not None:
                    found.append(incoming)
    return found


def _objects(value: Any, what: str, required: bool = False) -> List[Dict[str, Any]]:
    """``value`` if it is a list of JSON objects (missing: none, unless ``required``)."""
    if value is None and not required:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise BadPayloadError(f"{what} is not a list of objects")
    return value


def _field(message: Dict[str, Any], key: str) -> Dict[str, Any]:
    value = message.get(key) or {}
    if not isinstance(value, dict):
        raise BadPayloadError(f"{key} is not an object")
    return value


def _whatsapp_message(message: Dict[str, Any], output: OutputChannel) -> Optional[Incoming]:
    kind = message.get("type")
    if kind == "text":
        # A blank text gets utter_message_empty.
        text, is_payload = text_of(_field(message, "text").get("body")), False
    elif kind == "interactive":
        interactive = _field(message, "interactive")
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        if not isinstance(reply, dict):
            raise BadPayloadError("the reply is not an object")
        text = text_of(reply.get("id"), "reply id")
        is_payload = not _INDEX_ID.match(text)  # "#2" is read among the buttons offered
        if not text.strip():
            return None
    elif kind == "button":
        text, is_payload = text_of(_field(message, "button").get("payload"), "payload"), True
        if not text.strip():
            return None
    else:
        return None  # an image, a location, a reaction, ...
    return Incoming(
        sender_of(message.get("from")),
        text,
        output,
        is_payload=is_payload,
        delivery_id=delivery_id_of(message.get("id")),
    )
