"""launcher/environment.py: what every role's process gets in its environment."""

from __future__ import annotations

import os
import re
from typing import Dict

import pytest
import rasa.shared.utils.io
from rasa.utils.endpoints import read_endpoint_config

from launcher.environment import RASA_FILES, ROOT, role_environment, variables_of
from web.settings import SettingsError as WebSettingsError

CHANNEL_VARIABLES = ("FACEBOOK_APP_SECRET", "SLACK_BOT_TOKEN", "WHATSAPP_PHONE_NUMBER_ID")


def test_it_finds_the_variables_rasas_files_name_and_not_those_of_comments() -> None:
    credentials = variables_of(ROOT / "credentials.yml")
    assert "SOCKETIO_CORS_ORIGINS" in credentials
    assert set(CHANNEL_VARIABLES) <= set(credentials)
    assert "VAR" not in credentials  # "Rasa's ${VAR} syntax" is in a comment
    assert variables_of(ROOT / "endpoints.yml") == ["ACTION_ENDPOINT_URL", "ACTION_SERVER_SECRET"]


def test_with_nothing_set_every_variable_of_rasas_files_has_a_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = {name for path in RASA_FILES for name in variables_of(path)}
    for name in names:
        monkeypatch.delenv(name, raising=False)

    env = role_environment(os.environ)

    assert all(name in env for name in names)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # Rasa reads both files, as the Rasa server does, without an unset variable.
    rasa.shared.utils.io.read_config_file(str(ROOT / "credentials.yml"))
    action = read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")
    assert action is not None
    assert action.url == "http://127.0.0.1:5055/webhook"
    assert action.headers["X-Action-Secret"] == env["ACTION_SERVER_SECRET"]


def test_a_channel_whose_variables_are_unset_is_off_and_one_set_keeps_its_value() -> None:
    env = role_environment({"SLACK_BOT_TOKEN": "xoxb-1"})
    assert env["FACEBOOK_APP_SECRET"] == ""
    assert env["WHATSAPP_PHONE_NUMBER_ID"] == ""
    assert env["SLACK_BOT_TOKEN"] == "xoxb-1"


def test_the_action_server_is_found_where_it_listens_with_a_secret_of_each_start() -> None:
    first = role_environment({})
    assert first["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:5055/webhook"
    assert len(first["ACTION_SERVER_SECRET"]) == 32
    assert role_environment({})["ACTION_SERVER_SECRET"] != first["ACTION_SERVER_SECRET"]

    moved = role_environment({"ACTION_SERVER_HOST": "10.0.0.5", "ACTION_SERVER_PORT": "5155"})
    assert moved["ACTION_ENDPOINT_URL"] == "http://10.0.0.5:5155/webhook"

    given: Dict[str, str] = {
        "ACTION_ENDPOINT_URL": "http://actions:5055/webhook",
        "ACTION_SERVER_SECRET": "shared-secret",
    }
    assert {k: role_environment(given)[k] for k in given} == given


def test_the_widget_reaches_the_rasa_server_which_lets_in_the_website_alone() -> None:
    env = role_environment({"RASA_PORT": "5105", "WEB_PORT": "8180"})
    assert (env["RASA_HOST"], env["RASA_PORT"]) == ("127.0.0.1", "5105")
    assert env["RASA_SOCKET_URL"] == "http://localhost:5105"
    assert env["SOCKETIO_CORS_ORIGINS"] == "http://localhost:8180,http://127.0.0.1:8180"
    given = role_environment({"SOCKETIO_CORS_ORIGINS": "https://clinic.example"})
    assert given["SOCKETIO_CORS_ORIGINS"] == "https://clinic.example"


def test_every_server_limits_the_request_size_and_finds_the_project() -> None:
    env = role_environment({"PYTHONPATH": "/elsewhere"})
    assert env["SANIC_REQUEST_MAX_SIZE"] == "1000000"
    assert env["PYTHONPATH"] == f"{ROOT}:/elsewhere"
    assert role_environment(env)["PYTHONPATH"] == env["PYTHONPATH"]
    assert role_environment({"SANIC_REQUEST_MAX_SIZE": "5"})["SANIC_REQUEST_MAX_SIZE"] == "5"


def test_the_base_environment_is_not_changed_and_a_bad_setting_is_named() -> None:
    base = {"WEB_PORT": "8180"}
    role_environment(base)
    assert base == {"WEB_PORT": "8180"}
    with pytest.raises(WebSettingsError, match="WEB_PORT"):
        role_environment({"WEB_PORT": "web"})


def test_the_scripts_set_no_setting_of_the_assistant() -> None:
    # scripts/env.sh is shell plumbing; each setting's default is in its settings module.
    env_sh = (ROOT / "scripts" / "env.sh").read_text()
    exported = set(re.findall(r"^export (\w+)", env_sh, flags=re.M))
    assert exported == {
        "ROOT",
        "VENV",
        "PYTHON_VERSION",
        "RASA_TELEMETRY_ENABLED",
        "TF_CPP_MIN_LOG_LEVEL",
        "SQLALCHEMY_SILENCE_UBER_WARNING",
        "PYTHONWARNINGS",
        "PYTHONPATH",
        "PATH",
    }
