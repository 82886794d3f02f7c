"""The running action server answers the Rasa server, and nobody else."""

from __future__ import annotations

import pytest
import requests

from tests.support.servers import Servers

pytestmark = pytest.mark.integration

CALL = {
    "next_action": "action_emergency_guidance",
    "sender_id": "intruder",
    "tracker": {"sender_id": "intruder", "slots": {}, "events": [], "latest_message": {}},
    "domain": {},
    "version": "3.6.21",
}


def test_a_call_without_the_secret_is_refused(servers: Servers) -> None:
    url = servers.env["ACTION_ENDPOINT_URL"]
    assert requests.post(url, json=CALL, timeout=10).status_code == 401
    wrong = {"X-Action-Secret": "not-the-secret"}
    assert requests.post(url, json=CALL, headers=wrong, timeout=10).status_code == 401
    actions = url.replace("/webhook", "/actions")
    assert requests.get(actions, timeout=10).status_code == 401


def test_health_stays_open_and_the_secret_opens_the_webhook(servers: Servers) -> None:
    url = servers.env["ACTION_ENDPOINT_URL"]
    assert requests.get(url.replace("/webhook", "/health"), timeout=10).ok
    right = {"X-Action-Secret": servers.env["ACTION_SERVER_SECRET"]}
    listed = requests.get(url.replace("/webhook", "/actions"), headers=right, timeout=10)
    assert listed.ok
    assert {"name": "action_emergency_guidance"} in listed.json()


def test_the_rasa_server_calls_the_actions_with_the_secret(servers: Servers) -> None:
    # The refusal is a custom action: it only arrives if the Rasa server was let in.
    replies = servers.say("secret-check", "I'm on isotretinoin, can I get botox for my scars?")
    assert any("can't advise" in reply.get("text", "") for reply in replies)
