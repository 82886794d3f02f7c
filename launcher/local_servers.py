"""The servers on free ports of 127.0.0.1, for the tests, ``make screenshot`` and the
benchmark.

The action server, the Rasa server (every channel of ``credentials.yml``) and the demo
clinic website, started with the commands and the environment of the roles
(:mod:`launcher.roles`, :mod:`launcher.environment`) as ``make run`` starts them, but each
on a free port, logging to a file of a given folder, with a tracker store in that folder,
until the block ends.
"""

from __future__ import annotations

import os
import subprocess
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Sequence

from launcher.environment import role_environment
from launcher.processes import free_port, process, wait_until_up
from launcher.roles import module_command, rasa_command

#: Settings derived from the ports, which :func:`running` chooses itself.
DERIVED = ("ACTION_ENDPOINT_URL", "RASA_SOCKET_URL", "SOCKETIO_CORS_ORIGINS")


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


def servers_environment(
    folder: Path,
    action_port: int,
    rasa_port: int,
    web_port: int,
    extra_env: Optional[Mapping[str, str]] = None,
    actions: bool = True,
) -> Dict[str, str]:
    """The environment of the servers on these ports: this process's with ``extra_env`` on
    top, the addresses and what follows from them set here, the rest as every role gets it.

    Raises:
        ValueError: without an action server of its own (``actions=False``), ``extra_env``
            does not say where one is (``ACTION_ENDPOINT_URL``).
    """
    extra = dict(extra_env or {})
    base = {k: v for k, v in {**os.environ, **extra}.items() if k not in DERIVED}
    base.update(
        {
            "ACTION_SERVER_HOST": "127.0.0.1",
            "ACTION_SERVER_PORT": str(action_port),
            "TRACKER_DB": str(folder / "tracker.db"),
            "RASA_HOST": "127.0.0.1",
            "RASA_PORT": str(rasa_port),
            "WEB_HOST": "127.0.0.1",
            "WEB_PORT": str(web_port),
        }
    )
    if not actions:
        if not extra.get("ACTION_ENDPOINT_URL"):
            raise ValueError("actions=False needs the ACTION_ENDPOINT_URL of an action server")
        base["ACTION_ENDPOINT_URL"] = extra["ACTION_ENDPOINT_URL"]
    return role_environment(base)


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
    """The servers, ready, until the block ends.

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

    Raises:
        launcher.processes.ServerError: a server exited or never answered.
    """
    action_port, rasa_port, web_port = free_port(), free_port(), free_port()
    env = servers_environment(folder, action_port, rasa_port, web_port, extra_env, actions)
    commands: Dict[str, List[str]] = {
        "actions": module_command("actions"),
        "rasa": rasa_command(model, "127.0.0.1", rasa_port, rasa_args),
        "web": module_command("web"),
    }
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
