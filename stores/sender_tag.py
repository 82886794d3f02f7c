"""A conversation's sender id as the logs name it: a short keyed hash, never the id itself.

A sender id is personal data: a phone number (``twilio:+15551234567``,
``whatsapp:16505551234``), a Telegram chat id, the e-mail address a REST caller chose. A
log line at INFO or above names a conversation by its tag instead: the first 12 hex
characters of the HMAC-SHA256 of the sender id, keyed with ``SENDER_TAG_KEY``
(``stores/settings.py``), read once, when this module is first imported.

- With ``SENDER_TAG_KEY`` set (the same on every server of a deployment), one conversation
  has one tag in every process and after every restart: its log lines can be found, and
  ``python -m stores.sender_tag SENDER`` prints a person's tag for that.
- Empty (the default), each process makes a random key at start: tags still tell one
  conversation's lines from another's within a process, and nobody, not even with the
  logs and this code, can tell whose they are.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import secrets
import sys
from typing import List, Optional

from stores.settings import sender_tag_key

#: Hex characters of the HMAC kept: 48 bits, so two conversations of one deployment
#: practically never share a tag.
TAG_LENGTH = 12

#: The key from the environment (None: none was set) and the key used.
_CONFIGURED_KEY = sender_tag_key()
_KEY = _CONFIGURED_KEY or secrets.token_bytes(32)


def tag_with(key: bytes, sender_id: str) -> str:
    """The tag of ``sender_id`` under ``key``: HMAC-SHA256, first 12 hex characters."""
    digest = hmac.new(key, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:TAG_LENGTH]


def sender_tag(sender_id: Optional[str]) -> str:
    """The tag that names the conversation of ``sender_id`` in this process's logs."""
    return tag_with(_KEY, sender_id or "")


def main(argv: Optional[List[str]] = None) -> int:
    """Print the tag of each sender id given, with this deployment's ``SENDER_TAG_KEY``."""
    parser = argparse.ArgumentParser(description="Print the tag the logs name a sender by.")
    parser.add_argument("sender_id", nargs="+")
    args = parser.parse_args(argv)
    if _CONFIGURED_KEY is None:
        parser.error(
            "SENDER_TAG_KEY is empty: each server process then tags with a random key of "
            "its own, so no tag printed here would match its logs."
        )
    for sender_id in args.sender_id:
        print(f"{sender_tag(sender_id)}  {sender_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
