"""With the action server down, safety still holds; when it returns, everything works again.

Servers of this module's own (the session's are left alone): the action server is stopped
mid-conversation and started again.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests

from launcher import local_servers, processes
from tests.support.project import ROOT, TEST_CLINIC_YAML
from tests.support.servers import trained_model

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[local_servers.Running]:
    folder: Path = tmp_path_factory.mktemp("faults")
    clinic = folder / "clinic.yml"
    clinic.write_text(TEST_CLINIC_YAML, encoding="utf-8")
    try:
        with local_servers.running(
            trained_model(), folder, {"CLINIC_CONFIG": str(clinic)}, web=False
        ) as running:
            yield running
    except processes.ServerError as error:
        pytest.fail(str(error))


def say(run: local_servers.Running, sender: str, text: str) -> List[Dict[str, Any]]:
    reply = requests.post(
        f"{run.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        timeout=60,
    )
    reply.raise_for_status()
    messages: List[Dict[str, Any]] = reply.json()
    return messages


def texts(messages: List[Dict[str, Any]]) -> str:
    return " ".join(m.get("text", "") for m in messages)


def test_safety_without_the_action_server_and_recovery(run: local_servers.Running) -> None:
    assert "months" in texts(say(run, "fault-1", "how long do results last?"))

    actions = run.processes["actions"]
    actions.terminate()
    actions.wait(timeout=30)

    # An emergency still gets the emergency number, first.
    emergency = say(
        run, "fault-2", "since my botox this morning my throat is closing, I can't swallow"
    )
    assert emergency and "Call 911" in emergency[0]["text"]
    # Personal advice is still refused, with the clinic's details and the booking offer.
    refusal = say(run, "fault-1", "can I have botox while I'm breastfeeding?")
    assert refusal[0]["text"].startswith("I'm sorry, I can't advise on your own situation.")
    assert "+1 555 0100" in refusal[0]["text"]
    # FAQ answers need no action server either.
    assert "months" in texts(say(run, "fault-3", "how long do the results last?"))

    # The action server comes back: the actions work again, in the same conversation.
    log = run.folder / "actions-restarted.log"
    with log.open("w") as out:
        restarted = subprocess.Popen(
            [sys.executable, "-m", "actions.server"], cwd=ROOT, env=run.env, stdout=out, stderr=out
        )
    try:
        processes.wait_until_up(f"http://127.0.0.1:{run.action_port}/health", restarted, log)
        booking = texts(say(run, "fault-1", "yes"))
        assert "https://test-dermatology.example/book" in booking
        follow_up = texts(
            say(run, "fault-4", "my eyelid is drooping and I see double since my injections")
        )
        assert "Call 911" in follow_up and "let Test Dermatology know on +1 555 0100" in follow_up
    finally:
        restarted.terminate()
        restarted.wait(timeout=30)
