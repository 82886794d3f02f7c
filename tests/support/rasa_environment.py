"""The environment the launcher gives the Rasa server, for tests that read ``endpoints.yml``
as the server does (it also names the action server's variables, and Rasa refuses a file
that names an unset one)."""

from __future__ import annotations

import os

import pytest

from launcher.environment import role_environment


def use_rasa_server_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set, for one test, every variable the launcher gives the Rasa server."""
    for name, value in role_environment(os.environ).items():
        monkeypatch.setenv(name, value)
