"""launcher/roles.py: the command line of each role, as deploy/start.sh runs it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from launcher import roles
from launcher.rasa_run import rasa_arguments


def test_the_python_roles_run_their_package() -> None:
    assert roles.command("actions", {}) == [sys.executable, "-m", "actions.server"]
    assert roles.command("web", {}) == [sys.executable, "-m", "web"]
    assert roles.command("staff", {}) == [sys.executable, "-m", "staff"]
    with pytest.raises(KeyError):
        roles.command("database", {})


def test_the_rasa_role_serves_its_model_with_the_projects_channels_and_endpoints() -> None:
    env = {"MODEL": "/app/models/m.tar.gz", "RASA_HOST": "0.0.0.0", "RASA_PORT": "5105"}
    assert roles.command("rasa", env) == [
        sys.executable, "-m", "launcher.rasa_run", "--model", "/app/models/m.tar.gz",
        "--interface", "0.0.0.0", "--port", "5105",
        "--credentials", "credentials.yml", "--endpoints", "endpoints.yml",
    ]  # fmt: skip


def test_rasas_http_api_is_on_only_with_a_token_or_a_jwt_secret() -> None:
    assert roles.api_arguments("", "") == []
    assert roles.api_arguments("t0k") == ["--enable-api", "--auth-token", "t0k"]
    assert roles.api_arguments("", "s") == [
        "--enable-api", "--jwt-secret", "s", "--jwt-method", "HS256",
    ]  # fmt: skip
    env = {"MODEL": "m.tar.gz", "RASA_API_TOKEN": "t0k"}
    # Not on the command line, which every user can read: launcher/rasa_run.py adds it.
    assert "t0k" not in roles.command("rasa", env)
    assert rasa_arguments(roles.command("rasa", env)[3:], env)[-3:] == [
        "--enable-api", "--auth-token", "t0k",
    ]  # fmt: skip


def test_the_sqlite_tracker_stores_folder_is_made_before_the_rasa_server_starts(
    tmp_path: Path,
) -> None:
    roles.prepare_rasa({"TRACKER_DB": str(tmp_path / "var" / "tracker.db")})
    assert (tmp_path / "var").is_dir()
    roles.prepare_rasa(
        {"TRACKER_DB": str(tmp_path / "unused" / "t.db"), "DATABASE_URL": "postgresql://db/x"}
    )
    assert not (tmp_path / "unused").exists()
