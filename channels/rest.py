"""Rasa's REST channel, with its input checked: bad requests get 400, not a stack trace.

- The body must be a JSON object with ``message`` (a string) and ``sender`` (a string of
  1 to 128 letters, digits and ``_ - . : @ +``); anything else is 400 with the reason.
- ``sender`` may not use a messaging channel's prefix (``telegram:...``, ``whatsapp:...``,
  see ``channels/senders.py``): 400, so a REST caller cannot write into the conversation of
  a Telegram or WhatsApp user.
- ``input_channel`` cannot be chosen by the caller: it is always ``rest``, so a REST caller
  cannot pass for another channel.
- Then the checks of every channel (``channels/limits.py``): empty and over-long messages
  get a polite answer.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from channels.limits import OnNewMessage, guarded
from channels.senders import sender_problem


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


class ClinicRestInput(RestInput):
    """Rasa's REST channel (``/webhooks/rest/webhook``) with its input checked."""

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
        metadata = json_object(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Rasa's REST blueprint; messages pass the checks of every channel first."""
        return super().blueprint(guarded(on_new_message))
