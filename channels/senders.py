"""Sender ids: who a conversation belongs to, namespaced per messaging channel.

Rasa keeps one tracker per sender id, whatever the channel. A messaging platform's ids (a
Telegram chat id, a phone number, a WhatsApp id) are easy to know or guess, so if every
channel used them as they are, a REST caller that sends ``"sender": "123456"`` would write
into the conversation of Telegram's chat 123456, and Twilio's ``whatsapp:+15551234567``
would share a tracker with the WhatsApp Cloud API's ``whatsapp:...``. So:

- each messaging channel keeps a conversation under ``"<channel>:<platform id>"``
  (``telegram:123456``, ``twilio:+15551234567``, ``whatsapp:16505551234``), and its replies
  go to the platform id, without the prefix;
- the REST and socket.io channels refuse a sender id that starts with a messaging
  channel's prefix (in any case): only that channel's verified webhook can write there;
- the website's conversations are kept as ``"socketio:<id>"`` (``channels/web_sessions.py``),
  a prefix the REST channel refuses too.

This is also the sender id to give ``make forget SENDER=...`` (docs/operations.md, retention).
"""

from __future__ import annotations

import re
from typing import Optional

#: The messaging channels, whose names prefix their conversations' sender ids.
MESSAGING_CHANNELS = ("facebook", "slack", "telegram", "twilio", "whatsapp")
#: Every channel whose conversations' sender ids carry its name: the messaging channels and
#: the website's (socket.io) one. Only that channel writes there.
PREFIXED_CHANNELS = (*MESSAGING_CHANNELS, "socketio")

#: What the REST channel and the website channel accept as a sender (or session) id.
SENDER_ID = re.compile(r"^[A-Za-z0-9_.:@+\-]{1,128}$")


def conversation_id(channel: str, platform_id: str) -> str:
    """The sender id of a messaging channel's conversation: ``"<channel>:<platform id>"``."""
    return f"{channel}:{platform_id}"


def platform_id(channel: str, sender_id: str) -> str:
    """The platform's id in a conversation id of ``channel`` (the prefix removed).

    An id without the prefix (a conversation kept before the ids were namespaced) is
    returned as it is.
    """
    prefix = f"{channel}:"
    return sender_id[len(prefix) :] if sender_id.startswith(prefix) else sender_id


def reserved_prefix(sender_id: str) -> Optional[str]:
    """The channel whose prefix ``sender_id`` uses (in any case), if any."""
    head, colon, _ = sender_id.partition(":")
    if colon and head.strip().lower() in PREFIXED_CHANNELS:
        return head.strip().lower()
    return None


def sender_problem(sender_id: object) -> Optional[str]:
    """Why ``sender_id`` is refused on the REST and website channels, or None if it is fine."""
    if not isinstance(sender_id, str) or not SENDER_ID.match(sender_id):
        return "must be a string of 1 to 128 letters, digits and _ - . : @ +"
    channel = reserved_prefix(sender_id)
    if channel is not None:
        return f"must not start with '{channel}:', which only the {channel} channel uses"
    return None
