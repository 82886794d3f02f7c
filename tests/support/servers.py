"""The real servers, started once per test session on free ports of 127.0.0.1.

- ``servers``: the action server and the Rasa server (REST, socket.io and every messaging
  channel, with test secrets; the channels send their replies to ``platform_stub``).
- ``web_server``: the demo clinic page with the chat widget (``python -m web``), whose
  origin the Rasa server's socket.io channel allows.

They are started by ``launcher/local_servers.py``, as ``make screenshot`` starts them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests

from launcher import local_servers, models, processes
from launcher.processes import free_port  # noqa: F401  (for the tests' own servers)
from tests.conftest import TEST_CLINIC_YAML
from tests.platform_stub import PlatformStub

#: The secrets the messaging channels of the test server are configured with. A test signs
#: a webhook with these to pass, or with anything else to be refused.
CHANNEL_SECRETS: Dict[str, str] = {
    "FACEBOOK_VERIFY_TOKEN": "test-fb-verify-token",
    "FACEBOOK_APP_SECRET": "test-fb-app-secret",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "test-fb-page-token",
    "SLACK_BOT_TOKEN": "xoxb-test-slack-token",
    "SLACK_SIGNING_SECRET": "test-slack-signing-secret",
    "TELEGRAM_BOT_TOKEN": "123456:test-telegram-token",
    "TELEGRAM_SECRET_TOKEN": "test-telegram-secret",
    "TWILIO_ACCOUNT_SID": "ACtest00000000000000000000000000",
    "TWILIO_AUTH_TOKEN": "test-twilio-auth-token",
    # Empty: the signature is checked against the URL the request came to, as a proxy in
    # front of the server received it (X-Forwarded-Proto/Host), whatever the caller's
    # environment sets.
    "TWILIO_WEBHOOK_URL": "",
    "WHATSAPP_VERIFY_TOKEN": "test-wa-verify-token",
    "WHATSAPP_APP_SECRET": "test-wa-app-secret",
    "WHATSAPP_ACCESS_TOKEN": "test-wa-access-token",
    "WHATSAPP_PHONE_NUMBER_ID": "1098765432",
}

#: Environment variables naming the base URL of each platform's outgoing API.
API_URL_VARIABLES = (
    "FACEBOOK_API_URL",
    "SLACK_API_URL",
    "TELEGRAM_API_URL",
    "TWILIO_API_URL",
    "WHATSAPP_API_URL",
)


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    """Wait until ``url`` answers; fail the test with the server's log if it never does."""
    try:
        processes.wait_until_up(url, process, log)
    except processes.ServerError as error:
        pytest.fail(str(error))


def trained_model() -> Path:
    """The model `make test` trained (CLINIC_MODEL), else the newest in models/."""
    if os.environ.get("CLINIC_MODEL"):
        return Path(os.environ["CLINIC_MODEL"])
    model = models.newest_model()
    if model is None:
        pytest.fail("No trained model: run `make test` (or `make train`) first.")
    return model


@dataclass
class Servers:
    """The running servers of the test session."""

    rasa_url: str
    tracker_db: Path
    web_port: int
    env: Dict[str, str]
    folder: Path

    def say(self, sender: str, message: str) -> List[Dict[str, Any]]:
        """Send a message through the REST channel; the bot's messages in reply."""
        reply = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=60,
        )
        reply.raise_for_status()
        messages: List[Dict[str, Any]] = reply.json()
        return messages

    def events(self, sender: str) -> List[Dict[str, Any]]:
        """The events the Rasa server stored for ``sender`` in its SQLite tracker store."""
        with sqlite3.connect(self.tracker_db) as db:
            rows = db.execute(
                "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]


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
        **{name: platform_stub.url for name in API_URL_VARIABLES},
        "CLINIC_CONFIG": str(clinic_file),
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
