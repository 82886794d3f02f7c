"""The real servers as the integration tests see them: the test secrets of the messaging
channels, the trained model, the running servers of the session (``Servers``: started by
the ``servers`` fixture, tests/integration/conftest.py) and waiting for a server to answer.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests

from launcher import models, processes
from launcher.processes import free_port  # noqa: F401  (for the tests' own servers)

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
    # The public address Twilio signs; the test server is reached at 127.0.0.1, as behind
    # a proxy.
    "TWILIO_WEBHOOK_URL": "https://clinic.example/webhooks/twilio/webhook",
    "WHATSAPP_VERIFY_TOKEN": "test-wa-verify-token",
    "WHATSAPP_APP_SECRET": "test-wa-app-secret",
    "WHATSAPP_ACCESS_TOKEN": "test-wa-access-token",
    "WHATSAPP_PHONE_NUMBER_ID": "1098765432",
}

#: The channels' rate limits off (0), for servers that every test talks to from 127.0.0.1,
#: many messages a minute from one address and some from one sender; the limits are tested
#: on a server of their own (tests/integration/channels/test_rate_limits.py).
NO_RATE_LIMITS: Dict[str, str] = {
    "SENDER_MESSAGES_PER_MINUTE": "0",
    "ADDRESS_MESSAGES_PER_MINUTE": "0",
}

#: The key of the sender tags in the test servers' logs (stores/sender_tag.py), so that a
#: test can find a conversation's log lines.
SENDER_TAG_KEY = "test-sender-tag-key"

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


def free_ports_environment(folder: Path) -> Dict[str, str]:
    """This process's environment with the servers' ports free and nothing shared with a
    real run (the tracker store in ``folder``): what deploy/start.sh is run with."""
    return {
        **os.environ,
        "WEB_PORT": str(processes.free_port()),
        "ACTION_SERVER_PORT": str(processes.free_port()),
        "TRACKER_DB": str(folder / "tracker.db"),
    }
