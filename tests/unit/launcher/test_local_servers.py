"""launcher/local_servers.py: what can be checked without starting a server."""

from __future__ import annotations

from pathlib import Path

import pytest

from launcher import local_servers


def test_the_servers_find_each_other_on_the_ports_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What this process's environment says about other ports does not count.
    monkeypatch.setenv("SOCKETIO_CORS_ORIGINS", "http://localhost:8080")
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    monkeypatch.setenv("RASA_SOCKET_URL", "http://localhost:5005")
    env = local_servers.servers_environment(tmp_path, 6001, 6002, 6003, {"CLINIC_CONFIG": "c"})
    assert env["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:6001/webhook"
    assert env["RASA_SOCKET_URL"] == "http://localhost:6002"
    assert env["SOCKETIO_CORS_ORIGINS"] == "http://localhost:6003,http://127.0.0.1:6003"
    assert (env["RASA_PORT"], env["WEB_PORT"]) == ("6002", "6003")
    assert env["TRACKER_DB"] == str(tmp_path / "tracker.db")
    assert env["CLINIC_CONFIG"] == "c"
    assert env["FACEBOOK_APP_SECRET"] == ""  # the channels of credentials.yml, off


def test_a_second_rasa_server_uses_the_action_server_it_is_given(tmp_path: Path) -> None:
    first = {"ACTION_ENDPOINT_URL": "http://127.0.0.1:6001/webhook", "ACTION_SERVER_SECRET": "s"}
    env = local_servers.servers_environment(tmp_path, 7001, 7002, 7003, first, actions=False)
    assert env["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:6001/webhook"
    assert env["ACTION_SERVER_SECRET"] == "s"
