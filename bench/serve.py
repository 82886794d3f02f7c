"""Serving a model for the benchmark: cold start, memory, and the floor.

The action server and the Rasa server are started by ``launcher.local_servers.running``, as
the tests start them (same endpoints, credentials, action server), with Rasa's HTTP API on
and a random token only so that ``/status`` can say when the model is loaded, and the REST
channel's rate limits off: the load's many visitors all come from this machine.
"""

from __future__ import annotations

import os
import secrets
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional

import requests

from bench.train import BenchError
from launcher import local_servers, processes

REST_PATH = "/webhooks/rest/webhook"
#: The channels' rate limits off (channels/settings.py: 0 is no limit).
NO_RATE_LIMITS = {"SENDER_MESSAGES_PER_MINUTE": "0", "ADDRESS_MESSAGES_PER_MINUTE": "0"}


@dataclass(frozen=True)
class Served:
    """A running Rasa server and action server."""

    rasa_url: str
    rasa_pid: int
    actions_pid: int
    #: From starting ``rasa run`` to the first ``/status`` that answers with the model
    #: loaded (s).
    cold_start_s: float
    status: Dict[str, object]
    folder: Path

    @property
    def webhook(self) -> str:
        return self.rasa_url + REST_PATH


def children(pid: int) -> List[int]:
    """The direct child processes of ``pid`` (Linux /proc)."""
    found: List[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def process_tree(pid: int) -> List[int]:
    """``pid`` and all its descendants (Sanic workers, if any)."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children(current))
    return tree


def rss_kib(pid: int) -> int:
    """Resident memory of one process (VmRSS), in KiB; 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and its descendants, in MiB."""
    return sum(rss_kib(p) for p in process_tree(pid)) / 1024


@contextmanager
def serve(
    model: Path, folder: Path, extra_env: Optional[Mapping[str, str]] = None
) -> Iterator[Served]:
    """The action server and the Rasa server with ``model``, ready, until the block ends."""
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    try:
        with local_servers.running(
            model,
            folder,
            {**NO_RATE_LIMITS, **(extra_env or {})},
            rasa_args=["--enable-api", "--auth-token", token],
            rasa_health=f"/status?token={token}",
            web=False,
        ) as running:
            status = requests.get(
                f"{running.rasa_url}/status", params={"token": token}, timeout=10
            ).json()
            if not status.get("model_file"):
                raise BenchError(f"/status answered without a model: {status}")
            yield Served(
                rasa_url=running.rasa_url,
                rasa_pid=running.processes["rasa"].pid,
                actions_pid=running.processes["actions"].pid,
                cold_start_s=running.ready_at["rasa"] - running.started_at["rasa"],
                status=status,
                folder=folder,
            )
    except processes.ServerError as error:
        raise BenchError(str(error)) from error


@contextmanager
def serve_floor(folder: Path) -> Iterator[str]:
    """The floor (``bench/floor.py``) on a free port; its webhook URL."""
    folder.mkdir(parents=True, exist_ok=True)
    port = processes.free_port()
    log = folder / "floor.log"
    command = [sys.executable, "-m", "bench.floor", "--port", str(port)]
    env = {**os.environ, "PYTHONPATH": str(processes.ROOT)}
    with processes.process(command, env, log) as child:
        try:
            processes.wait_until_up(f"http://127.0.0.1:{port}/health", child, log)
        except processes.ServerError as error:
            raise BenchError(str(error)) from error
        yield f"http://127.0.0.1:{port}{REST_PATH}"
