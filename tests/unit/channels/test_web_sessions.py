"""The website's session keys (channels/web_sessions.py) and the key that signs them
(channels/settings.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from channels.senders import sender_problem
from channels.settings import socketio_session_key
from channels.web_sessions import SessionKeys

KEYS = SessionKeys(b"a key of the tests")


def test_an_issued_key_opens_its_conversation_which_is_not_the_key() -> None:
    session = KEYS.issue()
    conversation = KEYS.conversation(session)
    assert conversation == f"socketio:{session.partition('.')[0]}"
    assert session not in conversation
    # Every key is new, and fits the limits of a sender id.
    assert KEYS.issue() != session and len(session) <= 128


@pytest.mark.parametrize(
    "session",
    [
        "",
        "abc",
        "socketio:" + "a" * 32,
        "a" * 32,
        "a" * 32 + ".",
        "A" * 32 + "." + "0" * 64,
        "a" * 31 + "." + "0" * 64,
        None,
        42,
        ["a" * 32],
        "a" * 32 + "." + "é" * 64,  # not ASCII: refused, not an error
    ],
    ids=repr,
)
def test_anything_the_server_did_not_sign_opens_nothing(session: object) -> None:
    assert KEYS.conversation(session) is None


def test_a_key_signed_with_another_servers_key_or_altered_opens_nothing() -> None:
    other = SessionKeys(b"another key").issue()
    assert KEYS.conversation(other) is None
    session = KEYS.issue()
    head, _, signature = session.partition(".")
    altered = f"{head[:-1]}{'0' if head[-1] != '0' else '1'}.{signature}"
    assert KEYS.conversation(altered) is None


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        SessionKeys(b"")


def test_the_rest_channel_refuses_a_website_conversations_id() -> None:
    conversation = KEYS.conversation(KEYS.issue())
    assert conversation is not None
    assert "socketio" in str(sender_problem(conversation))
    assert "socketio" in str(sender_problem(conversation.upper()))


def test_the_signing_key_comes_from_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCKETIO_SESSION_KEY", " shared by every server ")
    assert socketio_session_key() == b"shared by every server"


def test_without_the_variable_a_key_is_made_once_and_kept_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "var" / "socketio-session-key"
    monkeypatch.delenv("SOCKETIO_SESSION_KEY", raising=False)
    monkeypatch.setenv("SOCKETIO_SESSION_KEY_FILE", str(path))
    first = socketio_session_key()
    assert len(first) >= 48 and socketio_session_key() == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
