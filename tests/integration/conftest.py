"""The real servers, started once per test session on free ports of 127.0.0.1, for every
integration test that talks to them.

- ``servers``: the action server and the Rasa server (REST, socket.io and every messaging
  channel, with test secrets; the channels send their replies to ``platform_stub``; the
  rate limits off, since every test comes from 127.0.0.1).
- ``web_server``: the demo clinic page with the chat widget (``python -m web``), whose
  origin the Rasa server's socket.io channel allows.

They are started by ``launcher/local_servers.py``, as ``make screenshot`` starts them.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from launcher import local_servers, processes
from tests.support.platform_stub import PlatformStub
from tests.support.project import OPEN_NOW, TEST_CLINIC_YAML
from tests.support.servers import (
    API_URL_VARIABLES,
    CHANNEL_SECRETS,
    NO_RATE_LIMITS,
    SENDER_TAG_KEY,
    Servers,
    trained_model,
)


@pytest.fixture(scope="session")
def platform_stub() -> Iterator[PlatformStub]:
    """The messaging platforms' outgoing APIs, replaced by a recorder on 127.0.0.1."""
    stub = PlatformStub().start()
    yield stub
    stub.stop()


@pytest.fixture(scope="session")
def servers(
    tmp_path_factory: pytest.TempPathFactory, platform_stub: PlatformStub
) -> Iterator[Servers]:
    """Action server, Rasa server and website on free ports, with a test clinic config."""
    folder = tmp_path_factory.mktemp("servers")
    clinic_file = folder / "clinic.yml"
    clinic_file.write_text(TEST_CLINIC_YAML, encoding="utf-8")
    extra_env = {
        **CHANNEL_SECRETS,
        **NO_RATE_LIMITS,
        **{name: platform_stub.url for name in API_URL_VARIABLES},
        "CLINIC_CONFIG": str(clinic_file),
        # The clinic's chat is open (a weekday morning): what the assistant offers a visitor
        # who asks for a person does not depend on when the tests run.
        "CLINIC_NOW": OPEN_NOW,
        "SENDER_TAG_KEY": SENDER_TAG_KEY,
    }
    try:
        with local_servers.running(trained_model(), folder, extra_env) as running:
            yield Servers(
                running.rasa_url, running.tracker_db, running.web_port, running.env, folder
            )
    except processes.ServerError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def web_server(servers: Servers) -> str:
    """The demo clinic page (``python -m web``, started with the servers); its URL, as a
    visitor types it."""
    return f"http://localhost:{servers.web_port}"
