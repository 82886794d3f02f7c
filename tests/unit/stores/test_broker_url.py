"""The event broker's settings (stores/settings.py) and its URL, which reaches RabbitMQ whole
(stores/broker.py): an ``amqps://`` URL is connected over TLS, to its virtual host, with its
query; nothing is silently dropped."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import aio_pika
import pytest

from stores.broker import ClinicPikaBroker, pika_config
from stores.settings import BrokerSettings


def connected_url(url: str, monkeypatch: pytest.MonkeyPatch) -> Dict[str, Any]:
    """What aio_pika is asked to connect to, for ``EVENT_BROKER_URL=url``."""
    calls: List[Dict[str, Any]] = []

    async def connect_robust(**kwargs: Any) -> None:
        calls.append(kwargs)
        raise ConnectionError("not connecting in a unit test")

    monkeypatch.setattr(aio_pika, "connect_robust", connect_robust)
    config = pika_config(url, "clinic_events")
    loop = asyncio.new_event_loop()
    try:
        broker = ClinicPikaBroker(config.url, **config.kwargs, event_loop=loop)
        with pytest.raises(ConnectionError):
            loop.run_until_complete(broker._connect())
    finally:
        loop.close()
    assert len(calls) == 1
    return calls[0]


def test_an_amqps_url_is_connected_over_tls_to_its_virtual_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    call = connected_url(
        "amqps://clinic:s3cret@mq.example.org:5671/analytics?heartbeat=30", monkeypatch
    )
    assert call["url"] == "amqps://clinic:s3cret@mq.example.org:5671/analytics?heartbeat=30"


def test_the_host_the_broker_logs_carries_no_password() -> None:
    config = pika_config("amqps://clinic:s3cret@mq.example.org/analytics", "clinic_events")
    assert config.url == "amqps://mq.example.org:5671/analytics"
    assert "s3cret" not in config.url


def test_a_password_with_reserved_characters_stays_encoded_in_the_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    call = connected_url("amqp://clinic:p%40ss%2Fw@mq.internal:5672/%2F", monkeypatch)
    assert call["url"] == "amqp://clinic:p%40ss%2Fw@mq.internal:5672/%2F"


def test_a_url_without_credentials_or_port_gets_rabbitmqs_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert connected_url("amqp://mq.internal/", monkeypatch)["url"] == (
        "amqp://guest:guest@mq.internal:5672/"
    )
    assert connected_url("amqps://mq.internal", monkeypatch)["url"] == (
        "amqps://guest:guest@mq.internal:5671"
    )


@pytest.mark.parametrize(
    "url",
    ["http://mq.internal:5672/", "amqp:///vhost", "mq.internal:5672", "amqps://", "amqp://", "mq"],
)
def test_a_url_that_is_not_amqp_or_amqps_with_a_host_is_refused_naming_the_variable(
    url: str,
) -> None:
    with pytest.raises(ValueError, match="EVENT_BROKER_URL"):
        pika_config(url, "clinic_events")


def test_the_url_becomes_rasas_pika_settings() -> None:
    config = pika_config("amqp://ana:s%40cret@mq.internal:5673/", "q1")
    # The URL whole, without its credentials: Rasa puts them back, percent-encoded.
    assert config.url == "amqp://mq.internal:5673/"
    assert config.kwargs["username"] == "ana"
    assert config.kwargs["password"] == "s%40cret"
    assert config.kwargs["port"] == 5673
    assert config.kwargs["queues"] == ["q1"]


def test_settings_have_working_defaults() -> None:
    assert BrokerSettings.from_env({}) == BrokerSettings(
        url="", queue="clinic_events", backlog=100_000
    )


@pytest.mark.parametrize("value", ["many", "0", "-5"])
def test_an_unusable_backlog_is_named(value: str) -> None:
    with pytest.raises(ValueError, match="EVENT_BROKER_BACKLOG"):
        BrokerSettings.from_env({"EVENT_BROKER_BACKLOG": value})
