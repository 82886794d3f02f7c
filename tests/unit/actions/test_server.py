"""The action server's entry point (actions/server.py), without starting it."""

from __future__ import annotations

import pytest

from actions.server import create_action_server, secret_matches


def test_the_secret_must_match_exactly() -> None:
    assert secret_matches("s3cret", "s3cret")
    assert not secret_matches("s3cret ", "s3cret")
    assert not secret_matches("", "s3cret")
    assert not secret_matches(None, "s3cret")


def test_without_a_secret_the_server_does_not_start() -> None:
    with pytest.raises(ValueError, match="ACTION_SERVER_SECRET"):
        create_action_server("")
