"""Reading a platform's webhook request: its signature, its body, the ids and texts in it,
and the errors that refuse a request (each with the HTTP status the webhook answers).

Every check is on the raw body, before anything of it is used; secrets are compared in
constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union
from urllib.parse import parse_qs


class WebhookError(Exception):
    """A request the webhook refuses; ``status`` is the HTTP status it answers with."""

    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BadPayloadError(WebhookError):
    """The body cannot be read as the platform's payload (400)."""

    status = 400


class MissingSignatureError(WebhookError):
    """The request carries no signature (401)."""

    status = 401


class WrongSignatureError(WebhookError):
    """The request's signature is not the one the secret gives (403)."""

    status = 403


def hmac_hex(secret: str, data: bytes, digest: Any = hashlib.sha256) -> str:
    """Hex HMAC of ``data`` with ``secret`` (SHA-256 unless another digest is given)."""
    return hmac.new(secret.encode("utf-8"), data, digest).hexdigest()


def same_secret(given: Optional[str], expected: str) -> bool:
    """Whether ``given`` equals ``expected``, compared in constant time."""
    return given is not None and hmac.compare_digest(
        given.encode("utf-8"), expected.encode("utf-8")
    )


def check_signature(given: Optional[str], expected: Union[str, Iterable[str]], what: str) -> None:
    """Accept ``given`` if it equals ``expected`` (or one of them), in constant time.

    Raises:
        MissingSignatureError: ``given`` is missing or empty.
        WrongSignatureError: it equals none of ``expected``.
    """
    if not given or not given.strip():
        raise MissingSignatureError(f"missing {what}")
    candidates = [expected] if isinstance(expected, str) else list(expected)
    matches = [same_secret(given.strip(), candidate) for candidate in candidates]
    if not any(matches):
        raise WrongSignatureError(f"wrong {what}")


def json_body(body: bytes) -> Dict[str, Any]:
    """The raw body read as a JSON object.

    Raises:
        BadPayloadError: it is not UTF-8 JSON, or not an object.
    """
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise BadPayloadError("the body is not JSON") from error
    if not isinstance(payload, dict):
        raise BadPayloadError("the body is not a JSON object")
    return payload


def form_body(body: bytes) -> Dict[str, List[str]]:
    """The raw body read as a form (``application/x-www-form-urlencoded``).

    Raises:
        BadPayloadError: it is not UTF-8.
    """
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError) as error:
        raise BadPayloadError("the body is not a form") from error


def first_value(form: Mapping[str, List[str]], key: str) -> str:
    """The first value of ``key`` in a parsed form, or ""."""
    values = form.get(key) or [""]
    return values[0]


_PLATFORM_ID = re.compile(r"^[^\s\x00-\x1f\x7f]{1,128}$")


def sender_of(value: Any) -> str:
    """A platform's id of a user or chat, as found in a payload: a short string or integer.

    Raises:
        BadPayloadError: it is missing, of another type, empty, longer than 128 characters,
            or holds spaces or control characters.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BadPayloadError("the sender id is not a string or a number")
    text = str(value)
    if not _PLATFORM_ID.match(text):
        raise BadPayloadError("the sender id is empty, too long or holds spaces")
    return text


_DELIVERY_ID = re.compile(r"^[^\s\x00-\x1f\x7f]{1,256}$")


def delivery_id_of(value: Any) -> Optional[str]:
    """The platform's id of a delivered message (``channels/deliveries.py``), as found in a
    payload: a string or integer of at most 256 characters without spaces; else None (the
    message is handled, without being recognised if it comes again)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value)
    return text if _DELIVERY_ID.match(text) else None


def text_of(value: Any, what: str = "text") -> str:
    """A message's text as found in a payload (missing: "").

    Raises:
        BadPayloadError: it is there but not a string.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadPayloadError(f"the {what} is not a string")
    return value
