"""The sender tag that names a conversation in the logs (stores/sender_tag.py)."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
from typing import Optional

import pytest

from stores import sender_tag as tags
from stores.settings import sender_tag_key
from tests.support.project import ROOT


def tag_in_a_new_process(key: Optional[str], sender_id: str) -> str:
    """The tag a new process (a server) gives ``sender_id``, with this SENDER_TAG_KEY."""
    env = {k: v for k, v in os.environ.items() if k != "SENDER_TAG_KEY"}
    if key is not None:
        env["SENDER_TAG_KEY"] = key
    code = f"from stores.sender_tag import sender_tag; print(sender_tag({sender_id!r}))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_tag_is_the_first_12_hex_characters_of_the_hmac_sha256_of_the_sender_id() -> None:
    expected = hmac.new(b"k", b"twilio:+15551234567", hashlib.sha256).hexdigest()[:12]

    assert tags.tag_with(b"k", "twilio:+15551234567") == expected
    assert len(expected) == 12


def test_one_sender_has_one_tag_and_others_have_others() -> None:
    assert tags.sender_tag("whatsapp:16505551234") == tags.sender_tag("whatsapp:16505551234")
    assert tags.sender_tag("whatsapp:16505551234") != tags.sender_tag("whatsapp:16505551235")
    assert tags.tag_with(b"a", "x") != tags.tag_with(b"b", "x")
    assert "5551234" not in tags.sender_tag("twilio:+15551234567")


def test_with_sender_tag_key_every_process_gives_one_sender_the_same_tag() -> None:
    first = tag_in_a_new_process("deployment-key", "twilio:+15551234567")

    assert first == tag_in_a_new_process("deployment-key", "twilio:+15551234567")
    assert first == tags.tag_with(b"deployment-key", "twilio:+15551234567")


def test_without_it_each_process_tags_with_a_random_key_of_its_own() -> None:
    first = tag_in_a_new_process(None, "twilio:+15551234567")

    assert first != tag_in_a_new_process(None, "twilio:+15551234567")
    assert first != tags.tag_with(b"", "twilio:+15551234567")


def test_the_key_is_read_from_sender_tag_key() -> None:
    assert sender_tag_key({"SENDER_TAG_KEY": " a key "}) == b"a key"
    assert sender_tag_key({"SENDER_TAG_KEY": "  "}) is None
    assert sender_tag_key({}) is None


def test_the_command_prints_a_senders_tag_with_the_deployments_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(tags, "_CONFIGURED_KEY", b"deployment-key")
    monkeypatch.setattr(tags, "_KEY", b"deployment-key")

    assert tags.main(["twilio:+15551234567"]) == 0

    expected = tags.tag_with(b"deployment-key", "twilio:+15551234567")
    assert capsys.readouterr().out == f"{expected}  twilio:+15551234567\n"


def test_without_a_key_the_command_refuses_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(tags, "_CONFIGURED_KEY", None)

    with pytest.raises(SystemExit):
        tags.main(["twilio:+15551234567"])

    assert "SENDER_TAG_KEY is empty" in capsys.readouterr().err
