"""The request-rate limits of the shipped ``deploy/nginx.conf``, run by Debian's nginx.

nginx runs the shipped configuration (``tests/support/nginx.py`` only changes its
addresses) in front of stand-ins that answer every request (the limits are nginx's own,
so no Rasa server is needed; the channels' own limits: test_rate_limits.py in
tests/integration/channels/). A client sending faster than a location's rate gets its
burst, then 429 with ``Retry-After`` and a short JSON reason; another client address is
not affected, and the website's pages are not limited. The configuration's text is
checked in tests/unit/deploy/test_deploy.py.
"""

from __future__ import annotations

import json
from typing import Iterator

import pytest

from launcher import processes
from tests.support.nginx import (
    Nginx,
    answering_upstreams,
    nginx_binary,
    request_from,
    running_nginx,
)

pytestmark = pytest.mark.integration

#: Each limited location, a request to it, and the burst nginx lets through at once.
LIMITED = {
    "rest": ("/webhooks/rest/webhook", "POST", 20),
    "website channel": ("/socket.io/?EIO=4&transport=polling", "GET", 40),
}
#: The client address that goes over each location's rate, and one that does not.
CLIENTS = {"rest": ("127.0.5.1", "127.0.6.1"), "website channel": ("127.0.7.1", "127.0.8.1")}
#: More requests than the burst, sent one after the other (a few ms each: nginx's rate of
#: 10 a second frees about one meanwhile).
EXTRA = 30


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    if nginx_binary() is None:
        pytest.fail("nginx is not installed: `make setup` installs it (unless SETUP_NGINX=0)")
    folder = tmp_path_factory.mktemp("nginx-limits")
    try:
        with (
            answering_upstreams(3) as (rasa1, rasa2, website),
            running_nginx([rasa1, rasa2], folder, website_port=website) as running,
        ):
            yield running
    except processes.ServerError as error:
        pytest.fail(str(error))


@pytest.mark.parametrize("name", LIMITED)
def test_an_address_over_the_rate_gets_429_with_retry_after_and_others_go_on(
    nginx: Nginx, name: str
) -> None:
    path, method, burst = LIMITED[name]
    client, other = CLIENTS[name]

    answers = [request_from(client, nginx.url + path, method) for _ in range(burst + EXTRA)]
    after = request_from(other, nginx.url + path, method)

    statuses = [status for status, _, _ in answers]
    assert statuses[: burst + 1] == [200] * (burst + 1), statuses
    refused = [(headers, body) for status, headers, body in answers if status == 429]
    assert len(refused) >= EXTRA - 10, statuses
    assert set(statuses) == {200, 429}, statuses
    for headers, body in refused:
        assert headers["retry-after"] == "1"
        assert headers["content-type"] == "application/json"
        assert json.loads(body) == {
            "error": "Too many requests. Please wait a moment and try again."
        }
    assert after[0] == 200


def test_the_website_itself_is_not_limited(nginx: Nginx) -> None:
    statuses = [request_from("127.0.9.1", f"{nginx.url}/", "GET")[0] for _ in range(100)]
    assert statuses == [200] * 100


def test_the_limits_are_logged(nginx: Nginx) -> None:
    for _ in range(LIMITED["rest"][2] + 5):
        request_from("127.0.10.1", f"{nginx.url}/webhooks/rest/webhook")
    errors = (nginx.folder / "error.log").read_text(errors="replace")
    assert "limiting requests" in errors and 'zone "rest"' in errors


def test_a_messaging_platform_posting_many_users_messages_is_not_held_up(nginx: Nginx) -> None:
    # One platform address, 60 users' messages at once: far over the REST channel's burst.
    statuses = [
        request_from("127.0.12.1", f"{nginx.url}/webhooks/telegram/webhook")[0] for _ in range(60)
    ]
    assert statuses == [200] * 60


@pytest.fixture(scope="module")
def nginx_behind_a_terminator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    """The shipped configuration with its "#proxy" lines on, the terminator being 127/8."""
    folder = tmp_path_factory.mktemp("nginx-proxy")
    try:
        with (
            answering_upstreams(3) as (rasa1, rasa2, website),
            running_nginx(
                [rasa1, rasa2], folder, website_port=website, behind_proxy=True
            ) as running,
        ):
            yield running
    except processes.ServerError as error:
        pytest.fail(str(error))


def test_behind_a_terminator_each_visitor_has_a_limit_of_their_own(
    nginx_behind_a_terminator: Nginx,
) -> None:
    url = f"{nginx_behind_a_terminator.url}/webhooks/rest/webhook"
    terminator = "127.0.13.1"

    def visitor(address: str) -> int:
        return request_from(terminator, url, headers={"X-Forwarded-For": address})[0]

    flood = [visitor("198.51.100.1") for _ in range(LIMITED["rest"][2] + EXTRA)]
    assert 429 in flood
    # Another visitor, through the same terminator, is not held up by the first.
    assert visitor("198.51.100.2") == 200
