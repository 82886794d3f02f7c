"""The website's settings: from the environment, with defaults, checked."""

from __future__ import annotations

import pytest

from web import settings
from web.settings import SettingsError, WebSettings, load_settings


def test_the_defaults_serve_the_demo_page_on_this_machine() -> None:
    assert load_settings({}) == WebSettings(
        host="127.0.0.1", port=8080, rasa_socket_url="http://localhost:5005"
    )


def test_the_values_come_from_the_environment() -> None:
    loaded = load_settings(
        {
            "WEB_HOST": "0.0.0.0",
            "WEB_PORT": "9000",
            "RASA_SOCKET_URL": "https://assistant.clinic.example/",
        }
    )
    assert (loaded.host, loaded.port) == ("0.0.0.0", 9000)
    assert loaded.rasa_socket_url == "https://assistant.clinic.example"
    assert loaded.socket_path == "/socket.io/"


def test_the_process_environment_is_read_when_none_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WEB_PORT", "8123")
    assert load_settings().port == 8123


@pytest.mark.parametrize("port", ["http", "0", "70000", "-1"])
def test_a_bad_port_is_named(port: str) -> None:
    with pytest.raises(SettingsError, match=f"WEB_PORT is '{port}', which is not a port"):
        load_settings({"WEB_PORT": port})


def test_a_socket_url_without_a_scheme_is_named() -> None:
    with pytest.raises(SettingsError, match="RASA_SOCKET_URL is 'localhost:5005'"):
        load_settings({"RASA_SOCKET_URL": "localhost:5005"})


def test_the_files_are_found_next_to_the_package_whatever_the_working_directory() -> None:
    assert settings.TEMPLATES_DIR.joinpath("widget.js").is_file()
    assert settings.DEFAULT_LOGO.is_file()
    assert settings.STATIC_DIR.joinpath("widget.css").is_file()
    assert settings.WIDGET_BUNDLE.is_file(), "web/node_modules is missing: run `make setup`"
    assert settings.WIDGET_BUNDLE.parts[-4:] == ("node_modules", "rasa-webchat", "lib", "index.js")
