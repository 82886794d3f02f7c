"""How many messages a sender and a client address may send (channels/rate_limits.py), and
the settings of the limits (channels/settings.py). Through the channels:
tests/unit/channels/test_rest.py and test_socketio.py; through a running server:
tests/integration/channels/test_rate_limits.py."""

from __future__ import annotations

import logging
from typing import Iterator, List

import pytest

from channels.rate_limits import RateLimiter, SlidingWindow, client_address, client_network
from channels.settings import (
    DEFAULT_ADDRESS_MESSAGES_PER_MINUTE,
    DEFAULT_SENDER_MESSAGES_PER_MINUTE,
    RateLimits,
)
from stores.sender_tag import sender_tag
from tests.support.channel_requests import APP, make_request


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_window_allows_its_limit_then_says_how_long_to_wait() -> None:
    clock = Clock()
    window = SlidingWindow(3, 60.0, clock)

    waits: List[float] = []
    for _ in range(3):
        waits.append(window.wait("a"))
        window.record("a")
        clock.now += 10
    assert waits == [0.0, 0.0, 0.0]
    # The first of the three was 30 s ago: it leaves the window in 30 s.
    assert window.wait("a") == pytest.approx(30.0)
    assert window.wait("b") == 0.0
    clock.now += 30
    assert window.wait("a") == 0.0


def test_a_window_of_zero_is_off() -> None:
    window = SlidingWindow(0, 60.0, Clock())
    for _ in range(1000):
        window.record("a")
    assert window.wait("a") == 0.0


def test_a_window_forgets_keys_gone_quiet() -> None:
    clock = Clock()
    window = SlidingWindow(2, 60.0, clock)
    for number in range(500):
        window.record(f"sender-{number}")
    clock.now += 61
    window.record("new")
    assert window.keys() == ["new"]


def test_a_message_refused_is_not_counted_and_neither_limit_counts_it() -> None:
    clock = Clock()
    limiter = RateLimiter(RateLimits(per_sender=2, per_address=3), clock)

    assert limiter.check("s1", "198.51.100.1") is None
    assert limiter.check("s1", "198.51.100.1") is None
    # The sender's third: refused, with the whole seconds until its first leaves the window.
    assert limiter.check("s1", "198.51.100.1") == 60
    # ... and not counted against the address, which has one message left.
    assert limiter.check("s2", "198.51.100.1") is None
    assert limiter.check("s3", "198.51.100.1") == 60
    # Another address is not affected, nor a sender from it.
    assert limiter.check("s3", "198.51.100.2") is None
    clock.now += 59.5
    assert limiter.check("s1", "198.51.100.1") == 1
    clock.now += 0.5
    assert limiter.check("s1", "198.51.100.2") is None


def test_a_refusal_is_logged_by_tags_not_the_sender_or_the_address(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limiter = RateLimiter(RateLimits(per_sender=1, per_address=5), Clock())
    phone = "twilio:+15550177009"
    assert limiter.check(phone, "198.51.100.23") is None
    with caplog.at_level(logging.INFO, logger="channels.rate_limits"):
        assert limiter.check(phone, "198.51.100.23") == 60
    [line] = [record.getMessage() for record in caplog.records]
    assert "refused" in line and sender_tag(phone) in line
    assert "15550177009" not in line and "198.51.100.23" not in line


def test_without_an_address_only_the_sender_counts() -> None:
    limiter = RateLimiter(RateLimits(per_sender=1, per_address=1), Clock())
    assert limiter.check("s1", None) is None
    assert limiter.check("s2", None) is None
    assert limiter.check("s1", None) == 60


def test_the_limits_come_from_the_environment_with_defaults() -> None:
    assert RateLimits.from_env({}) == RateLimits(
        DEFAULT_SENDER_MESSAGES_PER_MINUTE, DEFAULT_ADDRESS_MESSAGES_PER_MINUTE
    )
    assert (DEFAULT_SENDER_MESSAGES_PER_MINUTE, DEFAULT_ADDRESS_MESSAGES_PER_MINUTE) == (20, 60)
    given = {"SENDER_MESSAGES_PER_MINUTE": " 5 ", "ADDRESS_MESSAGES_PER_MINUTE": "0"}
    assert RateLimits.from_env(given) == RateLimits(per_sender=5, per_address=0)


@pytest.mark.parametrize("value", ["lots", "-1", "1.5"])
def test_a_limit_that_is_not_a_whole_number_is_refused_by_name(value: str) -> None:
    with pytest.raises(ValueError, match="ADDRESS_MESSAGES_PER_MINUTE"):
        RateLimits.from_env({"ADDRESS_MESSAGES_PER_MINUTE": value})


# The client's address.


@pytest.fixture()
def behind_one_proxy() -> Iterator[None]:
    """Sanic configured as behind one proxy (``SANIC_PROXIES_COUNT=1``), for one test."""
    APP.config.PROXIES_COUNT = 1
    yield
    APP.config.PROXIES_COUNT = None


def test_without_a_proxy_configured_the_peer_is_the_client_and_headers_are_ignored() -> None:
    forged = {"X-Forwarded-For": "203.0.113.1", "X-Real-IP": "203.0.113.2"}
    request = make_request("POST", "/webhooks/rest/webhook", b"{}", forged, peer="198.51.100.9")
    assert client_address(request) == "198.51.100.9"


def test_behind_a_proxy_the_address_it_forwards_is_the_client(behind_one_proxy: None) -> None:
    # nginx appends the address it saw to what the client sent: the last entry is its own.
    headers = {"X-Forwarded-For": "203.0.113.1, 198.51.100.20"}
    request = make_request("POST", "/webhooks/rest/webhook", b"{}", headers, peer="10.0.0.2")
    assert client_address(request) == "198.51.100.20"
    # A request that did not come through the proxy: its peer.
    direct = make_request("POST", "/webhooks/rest/webhook", b"{}", peer="10.0.0.3")
    assert client_address(direct) == "10.0.0.3"


@pytest.mark.parametrize(
    ("address", "client"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:db8:1:2::/64"),
        ("[2001:db8:1:3::9]", "2001:db8:1:3::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("not an address", "not an address"),
    ],
)
def test_an_ipv6_client_is_counted_by_its_network(address: str, client: str) -> None:
    # A home or office network takes IPv6 addresses from its /64 as it likes: counting each
    # address alone would give one client endless limits.
    assert client_network(address) == client
