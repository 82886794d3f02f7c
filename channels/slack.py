"""Slack: direct messages and mentions of the app, through the Events API.

- POST ``/webhooks/slack/webhook``, for both the Events API and Interactivity. Signed with
  ``X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<X-Slack-Request-Timestamp>:<raw body>">``
  with the signing secret; a timestamp more than 5 minutes from now is refused (a replay).
- Events API (JSON): ``url_verification`` answers the challenge; ``event_callback`` with a
  ``message`` event in a direct message with the app, or an ``app_mention`` event (the
  mention is removed; a mention alone, or a blank message, gets ``utter_message_empty``).
  Messages of bots (``bot_id``) and edits, joins and other ``subtype`` messages are
  ignored. Fields of the wrong type get 400.
- Slack's retries (``X-Slack-Retry-Num``) are recognised by the event's ``event_id``
  (``channels/deliveries.py``): a retry of an event that was handled, or is being handled,
  gets 200 and is not handled again; a retry of one that never arrived (Slack got a 502
  from a proxy, say) or whose handling failed is handled.
- Interactivity (form body ``payload=<JSON>``): a ``block_actions`` click on one of the
  assistant's buttons sends the button's value (its payload).
- Replies: ``POST {SLACK_API_URL}/chat.postMessage`` with ``Authorization: Bearer <bot
  token>``: the text, and the buttons as an ``actions`` block; in the message's thread if it
  was in one.
- The channel (and thread) of each message is kept with it in the conversation (metadata
  ``slack_channel``, ``slack_thread``), so that a message sent unasked (a staff member's, in
  the live handoff) goes where the visitor last wrote (:meth:`SlackInput.output_for`).

Settings (``credentials.yml``): ``bot_token``, ``signing_secret``.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any, ClassVar, Dict, List, Optional, Sequence, Text, Union

from rasa.core.channels.channel import OutputChannel
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import settings
from channels.buttons import Button
from channels.payload import (
    BadPayloadError,
    MissingSignatureError,
    WrongSignatureError,
    check_signature,
    delivery_id_of,
    first_value,
    form_body,
    hmac_hex,
    json_body,
    sender_of,
    text_of,
)
from channels.platform_api import PlatformAPI
from channels.webhook import Incoming, WebhookInput, WebhookOutput

#: Seconds a request's timestamp may be away from the server's clock.
MAX_CLOCK_SKEW = 5 * 60
#: Slack's limits for buttons in an actions block.
MAX_BUTTONS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000

#: The metadata keys of a message that hold where it was written.
CHANNEL_KEY = "slack_channel"
THREAD_KEY = "slack_thread"

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def slack_signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Slack-Signature`` value Slack sends with ``body`` at ``timestamp``."""
    return "v0=" + hmac_hex(signing_secret, b"v0:" + timestamp.encode("utf-8") + b":" + body)


def check_slack_signature(
    signing_secret: str,
    body: bytes,
    timestamp: Optional[str],
    signature: Optional[str],
    now: Optional[float] = None,
) -> None:
    """Accept the request if it is signed with the signing secret, within 5 minutes.

    Raises:
        MissingSignatureError: no signature or no timestamp.
        WrongSignatureError: the timestamp is not a number or is too far from ``now``, or the
            signature is wrong.
    """
    if not signature or not timestamp:
        raise MissingSignatureError("missing X-Slack-Signature or X-Slack-Request-Timestamp")
    try:
        sent = int(timestamp)
    except ValueError as error:
        raise WrongSignatureError("bad X-Slack-Request-Timestamp") from error
    if abs((time.time() if now is None else now) - sent) > MAX_CLOCK_SKEW:
        raise WrongSignatureError("X-Slack-Request-Timestamp is more than 5 minutes away")
    check_signature(
        signature, slack_signature(signing_secret, timestamp, body), "X-Slack-Signature"
    )


def where(channel: str, thread: Optional[str]) -> Dict[str, str]:
    """The metadata kept with a message: its channel, and its thread if any."""
    return {CHANNEL_KEY: channel, **({THREAD_KEY: thread} if thread else {})}


def escape(text: str) -> str:
    """Text for Slack's markup: ``&``, ``<`` and ``>`` escaped, as Slack asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackOutput(WebhookOutput):
    """Replies with ``chat.postMessage``, buttons in an actions block."""

    max_text_length = 3000  # a section block's text

    @classmethod
    def name(cls) -> Text:
        """The channel's name."""
        return "slack"

    def __init__(
        self, api: PlatformAPI, channel: Optional[str] = None, thread_ts: Optional[str] = None
    ) -> None:
        super().__init__(api)
        self.channel = channel
        self.thread_ts = thread_ts

    def shows(self, text: str, buttons: Sequence[Button]) -> bool:
        """At most 25 buttons, texts of at most 75 characters."""
        return len(buttons) <= MAX_BUTTONS and all(
            len(b.title) <= MAX_BUTTON_TEXT and len(b.payload) <= MAX_BUTTON_VALUE for b in buttons
        )

    async def post_message(self, recipient_id: str, text: str, buttons: Sequence[Button]) -> None:
        """One ``chat.postMessage``: to the message's channel (else the user's DM)."""
        body: Dict[str, Any] = {"channel": self.channel or recipient_id, "text": escape(text)}
        if self.thread_ts:
            body["thread_ts"] = self.thread_ts
        if buttons:
            body["blocks"] = [
                {"type": "section", "text": {"type": "mrkdwn", "text": escape(text)}},
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": f"clinic_button_{number}",
                            "text": {"type": "plain_text", "text": b.title},
                            "value": b.payload,
                        }
                        for number, b in enumerate(buttons, 1)
                    ],
                },
            ]
        await self.api.post("/chat.postMessage", json=body)


class SlackInput(WebhookInput):
    """The Slack webhook (see the module's description)."""

    required: ClassVar[Dict[str, str]] = {
        "bot_token": "SLACK_BOT_TOKEN",
        "signing_secret": "SLACK_SIGNING_SECRET",
    }

    @classmethod
    def name(cls) -> Text:
        """``/webhooks/slack/webhook``."""
        return "slack"

    def create_api(self) -> PlatformAPI:
        """Slack's Web API at ``SLACK_API_URL``, with the bot token."""
        token = self.settings["bot_token"]
        return PlatformAPI(
            "slack",
            settings.api_url("slack"),
            headers={"Authorization": f"Bearer {token}"},
            secrets=[token],
        )

    def get_output_channel(self) -> Optional[OutputChannel]:
        """Replies to a user id (the sender id) in the app's DM, for messages sent unasked."""
        return SlackOutput(self.api) if self.enabled else None

    def output_for(self, tracker: DialogueStateTracker) -> Optional[OutputChannel]:
        """Messages to the conversation of ``tracker``, in the channel (and thread) its
        visitor last wrote in; else in the app's direct messages with them."""
        if not self.enabled:
            return None
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered) and event.input_channel == self.name():
                metadata = event.metadata or {}
                channel, thread = metadata.get(CHANNEL_KEY), metadata.get(THREAD_KEY)
                if isinstance(channel, str) and channel:
                    return SlackOutput(
                        self.api, channel, thread if isinstance(thread, str) else None
                    )
        return self.get_output_channel()

    def authenticate(self, request: Request, body: bytes) -> None:
        """``X-Slack-Signature`` and ``X-Slack-Request-Timestamp``."""
        check_slack_signature(
            self.settings["signing_secret"],
            body,
            request.headers.get("X-Slack-Request-Timestamp"),
            request.headers.get("X-Slack-Signature"),
        )

    def parse(self, request: Request, body: bytes) -> Union[List[Incoming], HTTPResponse]:
        """An event (or Slack's retry of one), a button click, or the URL check."""
        content_type = request.headers.get("Content-Type", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            return parse_interaction(form_body(body), self.api)
        payload = json_body(body)
        if payload.get("type") == "url_verification":
            return response.json({"challenge": str(payload.get("challenge", ""))})
        return parse_event(payload, self.api)


def parse_event(payload: Dict[str, Any], api: PlatformAPI) -> List[Incoming]:
    """The visitor's message in an Events API ``event_callback``, if it is one to answer."""
    if payload.get("type") != "event_callback":
        return []
    event = payload.get("event")
    if not isinstance(event, dict):
        raise BadPayloadError("no event")
    kind = event.get("type")
    if event.get("bot_id") or event.get("subtype") or not event.get("user"):
        return []
    if kind == "message" and event.get("channel_type") != "im":
        return []  # in a channel, the app answers when it is mentioned (app_mention)
    if kind not in ("message", "app_mention"):
        return []
    text = _MENTION.sub(" ", text_of(event.get("text"))).strip()  # blank: utter_message_empty
    thread = event.get("thread_ts")
    if thread is not None and not isinstance(thread, str):
        raise BadPayloadError("thread_ts is not a string")
    channel = sender_of(event.get("channel"))
    event_id = delivery_id_of(payload.get("event_id"))
    return [
        Incoming(
            sender_of(event["user"]),
            text,
            SlackOutput(api, channel, thread),
            delivery_id=event_id,
            metadata=where(channel, thread),
        )
    ]


def parse_interaction(form: Dict[str, List[str]], api: PlatformAPI) -> List[Incoming]:
    """The value of the button clicked in a ``block_actions`` interaction.

    Raises:
        BadPayloadError: there is no ``payload`` field, or it is not JSON.
    """
    raw = first_value(form, "payload")
    if not raw:
        raise BadPayloadError("no payload field")
    try:
        payload = json.loads(raw)
    except ValueError as error:
        raise BadPayloadError("the payload field is not JSON") from error
    if not isinstance(payload, dict) or payload.get("type") != "block_actions":
        return []
    actions = payload.get("actions") or []
    if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
        raise BadPayloadError("actions is not a list of objects")
    buttons = [a for a in actions if a.get("type") == "button"]
    if not buttons or not buttons[0].get("value"):
        return []
    channel = (payload.get("channel") or {}).get("id") or (payload.get("container") or {}).get(
        "channel_id"
    )
    message = payload.get("message") or {}
    thread = message.get("thread_ts")
    if thread is not None and not isinstance(thread, str):
        raise BadPayloadError("thread_ts is not a string")
    channel = sender_of(channel)
    user = sender_of(payload["user"]["id"])
    return [
        Incoming(
            user,
            text_of(buttons[0]["value"], "value"),
            SlackOutput(api, channel, thread),
            is_payload=True,
            metadata=where(channel, thread),
        )
    ]
