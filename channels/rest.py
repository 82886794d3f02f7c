"""Rasa's REST channel, with its input checked: bad requests get 400, not a stack trace.

- The body must be a JSON object with ``message`` (a string) and ``sender`` (a string of
  1 to 128 letters, digits and ``_ - . : @ +``); anything else is 400 with the reason.
- ``sender`` may not use a messaging channel's prefix (``telegram:...``, ``whatsapp:...``,
  see ``channels/senders.py``): 400, so a REST caller cannot write into the conversation of
  a Telegram or WhatsApp user.
- ``input_channel`` cannot be chosen by the caller: it is always ``rest``, so a REST caller
  cannot pass for another channel.
- ``metadata`` keeps only its allowlisted keys with short values (``channels/metadata.py``);
  the rest is dropped before Rasa sees it.
- A sender or client address over its rate limit (``channels/rate_limits.py``) gets 429
  with ``Retry-After`` and ``{"error": "Too many messages. Please wait N seconds ..."}``,
  before the body is read any further; every request to the webhook counts against its
  address, and a message with a valid sender against that sender too.
- Then the checks of every channel (``channels/limits.py``): empty and over-long messages
  get a polite answer.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.limits import OnNewMessage, guarded
from channels.metadata import visitor_metadata
from channels.rate_limits import RateLimiter, client_address
from channels.senders import sender_problem
from channels.settings import RateLimits


def json_object(request: Request) -> Dict[str, Any]:
    """The request's JSON object.

    Raises:
        InvalidUsage: (400) when the body is not a JSON object.
    """
    try:
        body = request.json
    except Exception:
        raise InvalidUsage('The body must be JSON: {"sender": "...", "message": "..."}') from None
    if not isinstance(body, dict):
        raise InvalidUsage("The body must be a JSON object with 'sender' and 'message'.")
    return body


def too_many_requests(retry_after: int) -> HTTPResponse:
    """429: wait ``retry_after`` seconds, in the header and in words."""
    return response.json(
        {"error": f"Too many messages. Please wait {retry_after} seconds before sending another."},
        status=429,
        headers={"Retry-After": str(retry_after)},
    )


class ClinicRestInput(RestInput):
    """Rasa's REST channel (``/webhooks/rest/webhook``) with its input checked."""

    def __init__(self) -> None:
        super().__init__()
        self.limiter = RateLimiter(RateLimits.from_env())

    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = json_object(req).get("sender")
        problem = sender_problem(sender)
        if problem is not None:
            raise InvalidUsage(f"'sender' {problem}")
        return str(sender)

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = json_object(req).get("message")
        if not isinstance(message, str):
            raise InvalidUsage("'message' must be a string.")
        return message

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return visitor_metadata(json_object(request).get("metadata"))

    async def refuse_too_fast(self, request: Request) -> Optional[HTTPResponse]:
        """429 for a message over the rate limits, else None (and the message counted)."""
        if request.method != "POST":
            return None
        try:
            sender = json_object(request).get("sender")
        except InvalidUsage:
            sender = None  # the webhook answers 400; the address still counts
        wait = self.limiter.check(
            sender if sender_problem(sender) is None else None, client_address(request)
        )
        return None if wait is None else too_many_requests(wait)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Rasa's REST blueprint; the rate limits are checked first, then messages pass the
        checks of every channel."""
        blueprint = super().blueprint(guarded(on_new_message))

        async def rate_limits(request: Request) -> Optional[HTTPResponse]:
            return await self.refuse_too_fast(request)

        # Before this blueprint's routes only. (A function, not the bound method: Sanic's
        # Blueprint.middleware takes anything else for a decorator's argument.)
        blueprint.middleware(rate_limits, "request")
        return blueprint
