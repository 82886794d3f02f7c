"""scripts/local_servers.py: what can be checked without starting a server."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts import local_servers

pytestmark = pytest.mark.integration


def test_a_rasa_server_without_its_own_action_server_must_be_given_one(tmp_path: Path) -> None:
    with (
        pytest.raises(ValueError, match="ACTION_ENDPOINT_URL"),
        local_servers.running(tmp_path / "model.tar.gz", tmp_path, {}, actions=False),
    ):
        pass
