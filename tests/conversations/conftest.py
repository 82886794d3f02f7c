"""Start the real action server and Rasa server (REST channel) for conversation tests."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests

from tests.conftest import ROOT, TEST_CLINIC_YAML

STARTUP_TIMEOUT = float(os.environ.get("CONVERSATION_STARTUP_TIMEOUT", "240"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def trained_model() -> Path:
    """The model `make test` trained (CLINIC_MODEL), else the newest in models/."""
    if os.environ.get("CLINIC_MODEL"):
        return Path(os.environ["CLINIC_MODEL"])
    models = sorted((ROOT / "models").glob("clinic-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        pytest.fail("No trained model: run `make test` (or `make train`) first.")
    return models[-1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    pytest.fail(f"{url} did not answer within {STARTUP_TIMEOUT}s:\n{log.read_text()[-3000:]}")


@dataclass
class Servers:
    """The running servers of one test module."""

    rasa_url: str
    tracker_db: Path

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


@pytest.fixture(scope="package")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Action server and Rasa server on free ports, with a test clinic config."""
    folder = tmp_path_factory.mktemp("servers")
    clinic_file = folder / "clinic.yml"
    clinic_file.write_text(TEST_CLINIC_YAML, encoding="utf-8")
    action_port, rasa_port = free_port(), free_port()
    env = {
        **os.environ,
        "CLINIC_CONFIG": str(clinic_file),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "TRACKER_DB": str(folder / "tracker.db"),
        "PYTHONPATH": str(ROOT),
    }
    rasa = [sys.executable, "-m", "rasa"]
    commands = {
        "actions": [*rasa, "run", "actions", "--actions", "actions", "--port", str(action_port)],
        "rasa": [
            *rasa, "run", "--model", str(trained_model()), "--interface", "127.0.0.1",
            "--port", str(rasa_port), "--credentials", "credentials.yml",
            "--endpoints", "endpoints.yml",
        ],
    }  # fmt: skip
    processes: List[subprocess.Popen] = []
    try:
        for name, command in commands.items():
            log = folder / f"{name}.log"
            with log.open("w") as out:
                processes.append(
                    subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
                )
        wait_until_up(
            f"http://127.0.0.1:{action_port}/health", processes[0], folder / "actions.log"
        )
        wait_until_up(f"http://127.0.0.1:{rasa_port}/", processes[1], folder / "rasa.log")
        yield Servers(f"http://127.0.0.1:{rasa_port}", folder / "tracker.db")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
