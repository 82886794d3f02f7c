"""The stores' tests read ``endpoints.yml`` as the Rasa server does: with the environment
the launcher gives the Rasa server (``endpoints.yml`` also names the action server's
variables, and Rasa refuses a file that names an unset one)."""

from __future__ import annotations

import os

import pytest

from launcher.environment import role_environment


@pytest.fixture(autouse=True)
def rasa_server_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in role_environment(os.environ).items():
        monkeypatch.setenv(name, value)
