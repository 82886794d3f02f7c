"""launcher/settings.py: the launcher's own settings and their defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from launcher.settings import LauncherSettings, SettingsError
from staff.settings import DEFAULT_API_TOKEN_FILE


def test_the_defaults_work_on_one_machine() -> None:
    settings = LauncherSettings.from_env({})
    assert (settings.rasa_host, settings.rasa_port) == ("127.0.0.1", 5005)
    assert settings.staff_app is True
    assert (settings.api_token, settings.jwt_secret, settings.model) == ("", "", "")
    # make run keeps its token where the staff app (make publish) looks for it.
    assert settings.token_file == DEFAULT_API_TOKEN_FILE
    assert settings.request_max_size == 1_000_000
    assert (settings.ready_timeout, settings.startup_timeout) == (180.0, 240.0)
    assert settings.chromium == "/usr/bin/chromium"


def test_every_setting_comes_from_its_variable() -> None:
    settings = LauncherSettings.from_env(
        {
            "RASA_HOST": "0.0.0.0",
            "RASA_PORT": "5105",
            "STAFF_APP": "0",
            "RASA_API_TOKEN": " token ",
            "RASA_JWT_SECRET": "jwt",
            "RASA_API_TOKEN_FILE": "/tmp/token",
            "MODEL": "models/x.tar.gz",
            "SANIC_REQUEST_MAX_SIZE": "2000",
            "READY_TIMEOUT": "5",
            "CONVERSATION_STARTUP_TIMEOUT": "6",
            "CHROMIUM": "/opt/chromium",
        }
    )
    assert settings == LauncherSettings(
        rasa_host="0.0.0.0",
        rasa_port=5105,
        staff_app=False,
        api_token="token",
        jwt_secret="jwt",
        token_file=Path("/tmp/token"),
        model="models/x.tar.gz",
        request_max_size=2000,
        ready_timeout=5.0,
        startup_timeout=6.0,
        chromium="/opt/chromium",
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [("RASA_PORT", "http"), ("RASA_PORT", "70000"), ("READY_TIMEOUT", "soon")],
)
def test_a_value_it_cannot_use_is_named(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        LauncherSettings.from_env({name: value})
