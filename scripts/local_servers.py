"""Start the assistant's three servers on free ports of 127.0.0.1, and stop them.

The action server, the Rasa server (every channel of ``credentials.yml``) and the demo
clinic site (``python -m web``), each logging to a file of a given folder, with a tracker
store in that folder. Used by the tests (``tests/servers.py``) and ``make screenshot``;
``make run`` starts the same commands on the fixed ports of ``scripts/env.sh``.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Sequence

import requests

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = float(os.environ.get("CONVERSATION_STARTUP_TIMEOUT", "240"))
#: How often a starting server is asked whether it is up (also the precision of the cold
#: start that the benchmark measures).
POLL_INTERVAL = 0.1


class ServerError(RuntimeError):
    """A server exited or never answered; the message ends with its log."""


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def newest_model() -> Optional[Path]:
    """The newest trained model in models/, if any."""
    models = sorted((ROOT / "models").glob("clinic-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def tail(log: Path) -> str:
    """The end of a server's log."""
    return log.read_text(errors="replace")[-3000:]


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    """Wait until ``url`` answers 2xx.

    Raises:
        ServerError: the process exited first, or nothing answered in time.
    """
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(
                f"{url} exited with {process.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(POLL_INTERVAL)
    raise ServerError(
        f"{url} did not answer in {STARTUP_TIMEOUT:.0f}s:\n{log.read_text()[-3000:]}"
    )


@contextmanager
def process(command: List[str], env: Mapping[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """Run ``command`` from the project's folder until the block ends, then stop it."""
    with log.open("w") as out:
        child = subprocess.Popen(command, cwd=ROOT, env=dict(env), stdout=out, stderr=out)
    try:
        yield child
    finally:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


@dataclass(frozen=True)
class Running:
    """The running servers: where they listen, their environment and their folder."""

    action_port: int
    rasa_port: int
    web_port: int
    env: Dict[str, str]
    folder: Path
    #: Each server's process, when it was started and when it first answered its health
    #: check (``time.monotonic()``), by name ("actions", "rasa", "web").
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    started_at: Dict[str, float] = field(default_factory=dict)
    ready_at: Dict[str, float] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def page_url(self) -> str:
        """The clinic page as a visitor types it."""
        return f"http://localhost:{self.web_port}"

    @property
    def tracker_db(self) -> Path:
        return self.folder / "tracker.db"


def env_secret(extra_env: Optional[Mapping[str, str]]) -> str:
    """The action server's secret: the one given, else a new random one."""
    given = (extra_env or {}).get("ACTION_SERVER_SECRET") or os.environ.get("ACTION_SERVER_SECRET")
    return given or secrets.token_hex(16)


@contextmanager
def running(
    model: Path,
    folder: Path,
    extra_env: Optional[Mapping[str, str]] = None,
    rasa_args: Sequence[str] = (),
    rasa_health: str = "/",
    web: bool = True,
    actions: bool = True,
) -> Iterator[Running]:
    """The three servers, ready, until the block ends.

    Args:
        model: the trained model the Rasa server loads.
        folder: where the logs and the SQLite tracker store go.
        extra_env: settings on top of this process's environment (clinic config, secrets).
        rasa_args: more arguments of ``rasa run`` (the benchmark's ``--enable-api``).
        rasa_health: the Rasa server's path that answers 2xx once it is ready (the
            benchmark's ``/status?token=...``, which answers only once the model is loaded).
        web: start the demo clinic site too.
        actions: start an action server too; without, the Rasa server calls the one at
            ``ACTION_ENDPOINT_URL`` of ``extra_env`` (with its ``ACTION_SERVER_SECRET``), as
            a second Rasa server sharing a first one's action server does.
    """
    action_port, rasa_port, web_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        **(extra_env or {}),
        "PYTHONPATH": str(ROOT),
        "ACTION_SERVER_HOST": "127.0.0.1",
        "ACTION_SERVER_PORT": str(action_port),
        "ACTION_SERVER_SECRET": env_secret(extra_env),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "TRACKER_DB": str(folder / "tracker.db"),
        "RASA_PORT": str(rasa_port),
        "RASA_SOCKET_URL": f"http://localhost:{rasa_port}",
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(web_port),
        "SOCKETIO_CORS_ORIGINS": f"http://localhost:{web_port},http://127.0.0.1:{web_port}",
    }
    if not actions:
        if not (extra_env or {}).get("ACTION_ENDPOINT_URL"):
            raise ValueError("actions=False needs the ACTION_ENDPOINT_URL of an action server")
        env["ACTION_ENDPOINT_URL"] = str((extra_env or {})["ACTION_ENDPOINT_URL"])
    rasa = [sys.executable, "-m", "rasa"]
    commands = {
        "actions": [sys.executable, "-m", "actions.server"],
        "rasa": [
            *rasa, "run", "--model", str(model), "--interface", "127.0.0.1",
            "--port", str(rasa_port), "--credentials", "credentials.yml",
            "--endpoints", "endpoints.yml", *rasa_args,
        ],
        "web": [sys.executable, "-m", "web"],
    }  # fmt: skip
    if not web:
        del commands["web"]
    if not actions:
        del commands["actions"]
    health = {
        "actions": f"http://127.0.0.1:{action_port}/health",
        "rasa": f"http://127.0.0.1:{rasa_port}{rasa_health}",
        "web": f"http://127.0.0.1:{web_port}/health",
    }
    with ExitStack() as stack:
        servers = Running(action_port, rasa_port, web_port, env, folder)
        for name, command in commands.items():
            servers.started_at[name] = time.monotonic()
            servers.processes[name] = stack.enter_context(
                process(command, env, folder / f"{name}.log")
            )
        for name, child in servers.processes.items():
            wait_until_up(health[name], child, folder / f"{name}.log")
            servers.ready_at[name] = time.monotonic()
        yield servers
