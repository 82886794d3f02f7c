"""Twilio: SMS, and WhatsApp through Twilio, with Twilio's Messaging webhooks.

- POST ``/webhooks/twilio/webhook`` (a form): signed with ``X-Twilio-Signature``, the
  base64 HMAC-SHA1, with the auth token, of the URL Twilio called followed by every POST
  parameter's name and value, sorted by name. The URL is ``TWILIO_WEBHOOK_URL``, the public
  address entered in the Twilio Console, with and without the default port, as Twilio's
  own validator accepts. It is never rebuilt from the request: behind a TLS terminator the
  proxy's ``X-Forwarded-Proto`` may say http, and a caller who reaches the server directly
  chooses ``X-Forwarded-Host`` (and so the URL a signature it holds is checked against).
  The channel on (SID and token set) without it stops the server, naming the variable.
- Handled: ``Body`` from ``From`` (``+15551234567`` or ``whatsapp:+15551234567``) to ``To``;
  a blank ``Body`` without media gets ``utter_message_empty``, a picture alone is ignored.
  A request without a signature gets 401 before its body is read. A message whose
  ``MessageSid`` was received before is not handled again (``channels/deliveries.py``).
- The webhook answers 200 with empty TwiML; replies are sent with the REST API:
  ``POST {TWILIO_API_URL}/2010-04-01/Accounts/<sid>/Messages.json`` (``From`` = the
  number written to, ``To`` = the visitor, ``Body``), basic auth ``sid:token``.
  SMS has no buttons: always a numbered list.
- The number written to is kept with each message in the conversation (metadata
  ``twilio_to``), so that a message sent unasked (a staff member's, in the live handoff)
  comes from the number the visitor last wrote to (:meth:`TwilioInput.output_for`).

Settings (``credentials.yml``): ``account_sid``, ``auth_token``, ``webhook_url``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import ClassVar, Dict, Iterable, List, Mapping, Optional, Sequence, Text
from urllib.parse import urlsplit, urlunsplit

import aiohttp
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
    check_signature,
    delivery_id_of,
    first_value,
    form_body,
    sender_of,
)
from channels.platform_api import PlatformAPI
from channels.webhook import Incoming, WebhookInput, WebhookOutput

SIGNATURE_HEADER = "X-Twilio-Signature"
#: The metadata key of a message that holds the number the visitor wrote to.
TO_KEY = "twilio_to"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def twilio_signature(auth_token: str, url: str, params: Mapping[str, Iterable[str]]) -> str:
    """The ``X-Twilio-Signature`` Twilio sends for a POST of ``params`` to ``url``."""
    signed = url + "".join(
        name + value for name in sorted(params) for value in sorted(set(params[name]))
    )
    digest = hmac.new(auth_token.encode("utf-8"), signed.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def url_variants(url: str) -> List[str]:
    """``url`` without and with its default port: Twilio signs either."""
    parts = urlsplit(url)
    if parts.port:
        without = parts._replace(netloc=parts.netloc.rsplit(":", 1)[0])
        return [urlunsplit(without), url]
    port = 443 if parts.scheme == "https" else 80
    return [url, urlunsplit(parts._replace(netloc=f"{parts.netloc}:{port}"))]


def check_twilio_signature(
    auth_token: str, url: str, params: Mapping[str, Iterable[str]], header: Optional[str]
) -> None:
    """Accept the request if ``header`` is Twilio's signature of ``url`` and ``params``.

    Raises:
        MissingSignatureError: no ``X-Twilio-Signature``.
        WrongSignatureError: it signs another URL or other parameters.
    """
    expected = [twilio_signature(auth_token, variant, params) for variant in url_variants(url)]
    check_signature(header, expected, SIGNATURE_HEADER)


class TwilioOutput(WebhookOutput):
    """Replies with the Messages resource of Twilio's REST API; buttons as a list."""

    max_text_length = 1600

    @classmethod
    def name(cls) -> Text:
        """The channel's name."""
        return "twilio"

    def __init__(self, api: PlatformAPI, account_sid: str, from_number: str) -> None:
        super().__init__(api)
        self.account_sid = account_sid
        self.from_number = from_number

    async def post_message(self, recipient_id: str, text: str, buttons: Sequence[Button]) -> None:
        """One message from the number the visitor wrote to."""
        await self.api.post(
            f"/2010-04-01/Accounts/{self.account_sid}/Messages.json",
            data={"From": self.from_number, "To": recipient_id, "Body": text},
        )


class TwilioInput(WebhookInput):
    """The Twilio Messaging webhook (see the module's description)."""

    required: ClassVar[Dict[str, str]] = {
        "account_sid": "TWILIO_ACCOUNT_SID",
        "auth_token": "TWILIO_AUTH_TOKEN",
        "webhook_url": "TWILIO_WEBHOOK_URL",
    }

    def __init__(self, config: Optional[Mapping[str, object]] = None) -> None:
        """The channel; off while the SID or the token is empty.

        Raises:
            ValueError: the SID and the token are set but ``TWILIO_WEBHOOK_URL`` is empty,
                or it is not an http(s) URL.
        """
        super().__init__(config)
        url = self.settings["webhook_url"]
        if self.settings["account_sid"] and self.settings["auth_token"] and not url:
            raise ValueError(
                "TWILIO_WEBHOOK_URL is empty: with TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN "
                "set, it must be the public webhook URL entered in the Twilio Console "
                "(https://YOUR-HOST/webhooks/twilio/webhook), which Twilio signs."
            )
        if url and not url.startswith(("https://", "http://")):
            raise ValueError(f"TWILIO_WEBHOOK_URL: '{url}' is not an http(s) URL.")

    @classmethod
    def name(cls) -> Text:
        """``/webhooks/twilio/webhook``."""
        return "twilio"

    def create_api(self) -> PlatformAPI:
        """Twilio's REST API at ``TWILIO_API_URL``, with basic auth."""
        return PlatformAPI(
            "twilio",
            settings.api_url("twilio"),
            auth=aiohttp.BasicAuth(self.settings["account_sid"], self.settings["auth_token"]),
            secrets=[self.settings["auth_token"]],
        )

    def authenticate(self, request: Request, body: bytes) -> None:
        """``X-Twilio-Signature`` of ``TWILIO_WEBHOOK_URL`` and the form."""
        if not (request.headers.get(SIGNATURE_HEADER) or "").strip():
            raise MissingSignatureError(f"missing {SIGNATURE_HEADER}")
        check_twilio_signature(
            self.settings["auth_token"],
            self.settings["webhook_url"],
            form_body(body),
            request.headers.get(SIGNATURE_HEADER),
        )

    def parse(self, request: Request, body: bytes) -> List[Incoming]:
        """The SMS or WhatsApp message in the form."""
        return parse_twilio(form_body(body), self.api, self.settings["account_sid"])

    def accepted(self) -> HTTPResponse:
        """Empty TwiML: the replies are sent with the REST API."""
        return response.text(EMPTY_TWIML, content_type="text/xml")

    def get_output_channel(self) -> Optional[OutputChannel]:
        """None: a message sent unasked must come from the number the visitor wrote to,
        which only the conversation knows (:meth:`output_for`)."""
        return None

    def output_for(self, tracker: DialogueStateTracker) -> Optional[OutputChannel]:
        """Messages to the conversation of ``tracker``, from the number its visitor last
        wrote to (``twilio_to`` of their latest message); None when the channel is off or
        no message says it."""
        if not self.enabled:
            return None
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered) and event.input_channel == self.name():
                number = (event.metadata or {}).get(TO_KEY)
                if isinstance(number, str) and number:
                    return TwilioOutput(self.api, self.settings["account_sid"], number)
        return None


def parse_twilio(form: Dict[str, List[str]], api: PlatformAPI, account_sid: str) -> List[Incoming]:
    """The message in a Twilio Messaging webhook's form.

    Raises:
        BadPayloadError: ``From`` or ``To`` is missing.
    """
    sender, to = first_value(form, "From").strip(), first_value(form, "To").strip()
    if not sender or not to:
        raise BadPayloadError("From and To are required")
    text = first_value(form, "Body")
    if not text.strip() and first_value(form, "NumMedia").strip() not in ("", "0"):
        return []  # a picture, a location, ...
    # A blank Body without media gets utter_message_empty.
    sid = first_value(form, "MessageSid") or first_value(form, "SmsMessageSid")
    number = sender_of(to)
    return [
        Incoming(
            sender_of(sender),
            text,
            TwilioOutput(api, account_sid, number),
            delivery_id=delivery_id_of(sid or None),
            metadata={TO_KEY: number},
        )
    ]
