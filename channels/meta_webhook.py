"""What Messenger and the WhatsApp Cloud API share: Meta's webhook verification.

Meta checks a webhook URL with a GET (``hub.mode=subscribe``, ``hub.verify_token``,
``hub.challenge``): the server answers the challenge if the token is the one chosen when
the webhook was registered. Meta signs every POST with the app secret in
``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``.
"""

from __future__ import annotations

from typing import Mapping, Optional

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.payload import check_signature, hmac_hex, same_secret
from channels.webhook import WebhookInput, error_response

SIGNATURE_HEADER = "X-Hub-Signature-256"


def hub_signature(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends with ``body``."""
    return "sha256=" + hmac_hex(app_secret, body)


def check_hub_signature(app_secret: str, body: bytes, header: Optional[str]) -> None:
    """Accept the request if ``header`` is the body's signature with ``app_secret``.

    Raises:
        MissingSignatureError: no ``X-Hub-Signature-256``.
        WrongSignatureError: it is not the body's signature.
    """
    given = header.strip().lower() if header else header
    check_signature(given, hub_signature(app_secret, body), SIGNATURE_HEADER)


def subscription_reply(args: Mapping[str, str], verify_token: str) -> HTTPResponse:
    """Meta's GET verification: the challenge if the verify token is right, else 403.

    Args:
        args: the request's query (first value of each parameter).
        verify_token: the token chosen when the webhook was registered.
    """
    challenge = args.get("hub.challenge") or ""
    if (
        args.get("hub.mode") == "subscribe"
        and same_secret(args.get("hub.verify_token"), verify_token)
        and challenge
    ):
        return response.text(challenge)
    return error_response(403, "verification failed")


class MetaWebhookInput(WebhookInput):
    """What Meta's webhooks share (Messenger, WhatsApp Cloud API).

    The GET subscription check with ``verify_token`` and ``X-Hub-Signature-256`` with
    ``app_secret``, both from the channel's settings.
    """

    def verify_subscription(self, request: Request) -> HTTPResponse:
        """Meta's GET verification."""
        args = {key: request.args.get(key) for key in request.args}
        return subscription_reply(args, self.settings["verify_token"])

    def authenticate(self, request: Request, body: bytes) -> None:
        """``X-Hub-Signature-256`` with the app secret."""
        check_hub_signature(
            self.settings["app_secret"], body, request.headers.get(SIGNATURE_HEADER)
        )
