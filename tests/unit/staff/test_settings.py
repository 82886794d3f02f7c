"""The staff app's settings (staff/settings.py): defaults, overrides, refusals, the key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from staff.settings import ROOT, SettingsError, StaffSettings


def test_the_defaults_work_on_one_machine(tmp_path: Path) -> None:
    settings = StaffSettings.from_env({"RASA_API_TOKEN_FILE": str(tmp_path / "none")})
    assert settings.rasa_api_token == ""
    assert (settings.host, settings.port) == ("127.0.0.1", 8090)
    assert settings.db == ROOT / "var" / "staff.db"
    assert settings.models == ROOT / "models" / "published"
    assert settings.data_root == ROOT
    assert settings.low_confidence == 0.6
    assert settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.store.tracker_db == str(ROOT / "var" / "tracker.db")
    assert (settings.https, settings.session_hours) == (False, 8.0)
    assert (settings.max_failures, settings.lockout_minutes) == (5, 5.0)
    assert settings.live_poll_seconds == 0.4


def test_every_setting_comes_from_its_variable(tmp_path: Path) -> None:
    settings = StaffSettings.from_env(
        {
            "STAFF_HOST": "0.0.0.0",
            "STAFF_PORT": "9000",
            "STAFF_DB": str(tmp_path / "s.db"),
            "STAFF_SECRET_KEY": "k",
            "STAFF_LOW_CONFIDENCE": "0.45",
            "RASA_HOST": "0.0.0.0",
            "RASA_PORT": "5100",
            "RASA_API_TOKEN": "t0ken",
            "STAFF_MODELS": str(tmp_path / "m"),
            "STAFF_DATA_ROOT": str(tmp_path / "p"),
            "STAFF_HTTPS": "1",
            "STAFF_SESSION_HOURS": "2",
            "STAFF_MAX_FAILURES": "3",
            "STAFF_LOCKOUT_MINUTES": "10",
            "STAFF_MAX_ADDRESS_FAILURES": "30",
            "STAFF_MAX_NAME_FAILURES": "90",
            "STAFF_LOGIN_THREADS": "4",
            "STAFF_LIVE_POLL_SECONDS": "0.25",
            "DATABASE_URL": "postgresql://u@db/clinic",
            "DATABASE_SCHEMA": "site_a",
        }
    )
    assert (settings.host, settings.port, settings.db) == ("0.0.0.0", 9000, tmp_path / "s.db")
    assert (settings.secret_key, settings.low_confidence) == ("k", 0.45)
    # A Rasa server listening everywhere is reached on this machine.
    assert (settings.rasa_url, settings.rasa_api_token) == ("http://127.0.0.1:5100", "t0ken")
    assert (settings.models, settings.data_root) == (tmp_path / "m", tmp_path / "p")
    assert (settings.https, settings.session_hours) == (True, 2.0)
    assert (settings.max_failures, settings.lockout_minutes) == (3, 10.0)
    assert (settings.max_address_failures, settings.max_name_failures) == (30, 90)
    assert settings.login_threads == 4
    assert settings.live_poll_seconds == 0.25
    assert (settings.store.database_url, settings.store.database_schema) == (
        "postgresql://u@db/clinic",
        "site_a",
    )
    assert StaffSettings.from_env({"RASA_URL": "https://rasa.internal/"}).rasa_url == (
        "https://rasa.internal"
    )
    several = StaffSettings.from_env({"RASA_URL": "http://rasa1:5005/, http://rasa2:5005"})
    assert several.rasa_urls == ("http://rasa1:5005", "http://rasa2:5005")
    with pytest.raises(SettingsError, match="RASA_URL has 'rasa2:5005'"):
        StaffSettings.from_env({"RASA_URL": "http://rasa1:5005,rasa2:5005"})


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("STAFF_PORT", "http", "not a port number"),
        ("STAFF_LOW_CONFIDENCE", "high", "not a number"),
        ("STAFF_LOW_CONFIDENCE", "1.5", "between 0 and 1"),
        ("RASA_URL", "rasa:5005", "not an http(s) address"),
        ("STAFF_HTTPS", "maybe", "use 1"),
        ("STAFF_LIVE_POLL_SECONDS", "0", "between 0.05 and 10"),
        ("DATABASE_SCHEMA", "Robert'); DROP", "DATABASE_SCHEMA"),
    ],
)
def test_an_unusable_value_is_named(name: str, value: str, words: str) -> None:
    with pytest.raises(SettingsError, match=name) as error:
        StaffSettings.from_env({name: value})
    assert words in str(error.value)


def test_the_signing_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    settings = StaffSettings(db=tmp_path / "var" / "staff.db")
    key = settings.signing_key()
    path = tmp_path / "var" / "staff-secret"
    assert len(key) >= 48 and path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings.signing_key() == key  # the same after a restart
    assert StaffSettings(db=tmp_path / "var" / "staff.db", secret_key="given").signing_key() == (
        "given"
    )


def test_the_api_token_comes_from_make_runs_file_when_not_set(tmp_path: Path) -> None:
    """`make run` keeps the token it made in a file, so `make publish` can load a model."""
    token_file = tmp_path / "rasa-api-token"
    token_file.write_text("from-make-run\n", encoding="utf-8")
    env = {"RASA_API_TOKEN_FILE": str(token_file)}
    assert StaffSettings.from_env(env).rasa_api_token == "from-make-run"
    env["RASA_API_TOKEN"] = "set"
    assert StaffSettings.from_env(env).rasa_api_token == "set"
