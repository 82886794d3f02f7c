"""The stores' tests read ``endpoints.yml`` as the Rasa server does, with the environment the
launcher gives it (tests/support/rasa_environment.py)."""

from __future__ import annotations

import pytest

from tests.support.rasa_environment import use_rasa_server_environment


@pytest.fixture(autouse=True)
def rasa_server_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    use_rasa_server_environment(monkeypatch)
