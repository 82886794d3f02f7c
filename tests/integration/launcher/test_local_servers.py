"""launcher/local_servers.py: a check that would start servers if it failed (the checks
that start nothing: tests/unit/launcher/test_local_servers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from launcher import local_servers


# It would start servers if the check failed.
@pytest.mark.integration
def test_a_rasa_server_without_its_own_action_server_must_be_given_one(tmp_path: Path) -> None:
    with (
        pytest.raises(ValueError, match="ACTION_ENDPOINT_URL"),
        local_servers.running(tmp_path / "model.tar.gz", tmp_path, {}, actions=False),
    ):
        pass
