"""The website's sessions: ids the server issues and signs, kept apart from the id a
conversation is known by.

With Rasa's socket.io channel, the session id is a bearer secret: whoever sends it in
``session_request`` joins its room and reads the replies, and the same id, as a REST
sender, writes into the conversation. Yet that id is shown in many places: the tracker
store, the staff app, the logs, the event broker, ``make forget``. So the two are split:

- the widget holds a *session key*, ``<id>.<signature>``: a random id and an HMAC of it with
  the server's key (:func:`channels.settings.socketio_session_key`); it is never stored or
  logged by the server;
- the conversation is kept as ``socketio:<id>`` (:func:`channels.senders.conversation_id`),
  a prefix the REST channel refuses, like the messaging channels' ones.

A session key the server did not sign (a made-up id, a conversation's id, an old widget's
plain id) is replaced by a new one, so no one can choose an id or join another's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Optional

from channels.senders import conversation_id

#: The channel's name, which prefixes its conversations' sender ids.
CHANNEL = "socketio"
#: Hex digits of a session's random id (128 bits).
ID_LENGTH = 32


class SessionKeys:
    """Issues the widget's session keys and checks those it sends back.

    Args:
        key: the server's secret (the same on every server of a deployment).
    """

    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("the key that signs the website's sessions is empty")
        self._key = key

    def issue(self) -> str:
        """A new session key for a widget."""
        session = secrets.token_hex(ID_LENGTH // 2)
        return f"{session}.{self._sign(session)}"

    def conversation(self, session_key: object) -> Optional[str]:
        """The sender id of the conversation of ``session_key``, or None when the server
        did not issue it."""
        if not isinstance(session_key, str):
            return None
        session, dot, signature = session_key.partition(".")
        if not dot or len(session) != ID_LENGTH or not _is_hex(session):
            return None
        if not signature.isascii() or not hmac.compare_digest(signature, self._sign(session)):
            return None
        return conversation_id(CHANNEL, session)

    def _sign(self, session: str) -> str:
        digest = hmac.new(self._key, f"{CHANNEL}:{session}".encode(), hashlib.sha256)
        return digest.hexdigest()


def _is_hex(text: str) -> bool:
    return all(character in "0123456789abcdef" for character in text)
