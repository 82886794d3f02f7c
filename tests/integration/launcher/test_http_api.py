"""Rasa's HTTP API: off as shipped; on, only with the token."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Iterator

import pytest
import requests

from launcher import local_servers, processes
from tests.support.servers import Servers, trained_model

pytestmark = pytest.mark.integration


def test_the_http_api_is_off_as_shipped(servers: Servers) -> None:
    assert requests.get(f"{servers.rasa_url}/status", timeout=10).status_code == 404
    tracker = f"{servers.rasa_url}/conversations/anyone/tracker"
    assert requests.get(tracker, timeout=10).status_code == 404


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A Rasa server started as `make run` starts it with RASA_API_TOKEN set."""
    token = secrets.token_hex(16)
    folder: Path = tmp_path_factory.mktemp("api")
    args = ["--enable-api", "--auth-token", token]
    try:
        with local_servers.running(trained_model(), folder, rasa_args=args, web=False) as run:
            yield run.rasa_url, token
    except processes.ServerError as error:
        pytest.fail(str(error))


def test_with_the_api_on_calls_without_the_token_are_refused(
    api_server: tuple[str, str],
) -> None:
    url, token = api_server
    assert requests.get(f"{url}/status", timeout=10).status_code == 401
    assert requests.get(f"{url}/status", params={"token": "wrong"}, timeout=10).status_code == 401
    tracker = f"{url}/conversations/anyone/tracker"
    assert requests.get(tracker, timeout=10).status_code == 401
    status = requests.get(f"{url}/status", params={"token": token}, timeout=10)
    assert status.ok and status.json()["model_file"]
