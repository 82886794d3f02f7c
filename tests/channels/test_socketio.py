"""The socket.io channel's allowed origins (channels/socketio.py)."""

from __future__ import annotations

import pytest

from channels.socketio import ClinicSocketIOInput, parse_origins


def test_origins_come_from_a_comma_separated_setting() -> None:
    assert parse_origins(" http://localhost:8080, https://clinic.example/ ,") == [
        "http://localhost:8080",
        "https://clinic.example",
    ]


def test_a_list_is_accepted_and_nothing_means_no_other_origin() -> None:
    assert parse_origins(["https://a.example"]) == ["https://a.example"]
    assert parse_origins(None) == []
    assert parse_origins("") == []


@pytest.mark.parametrize("value", ["*", "http://a.example,*", "clinic.example", "ftp://x"])
def test_a_wildcard_or_a_non_http_origin_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="SOCKETIO_CORS_ORIGINS"):
        parse_origins(value)


def test_the_channel_keeps_rasas_settings_and_adds_the_origins() -> None:
    channel = ClinicSocketIOInput.from_credentials(
        {
            "user_message_evt": "user_uttered",
            "bot_message_evt": "bot_uttered",
            "session_persistence": True,
            "cors_allowed_origins": "http://localhost:8080",
        }
    )
    assert isinstance(channel, ClinicSocketIOInput)
    assert channel.name() == "socketio"
    assert channel.session_persistence is True
    assert channel.bot_message_evt == "bot_uttered"
    assert channel.cors_allowed_origins == ["http://localhost:8080"]


def test_the_socketio_server_checks_the_origins() -> None:
    channel = ClinicSocketIOInput.from_credentials({"cors_allowed_origins": "https://a.example"})

    async def on_new_message(_: object) -> None:
        return None

    channel.blueprint(on_new_message)
    assert channel.sio is not None
    assert channel.sio.eio.cors_allowed_origins == ["https://a.example"]
