"""Servers as child processes: start one, wait until it answers, stop it.

Each server runs in a session of its own, so that stopping it stops whatever it started
(Rasa's worker processes with ``SANIC_WORKERS`` above 1) and a Ctrl-C in the terminal
reaches the launcher alone, which then stops the servers in order.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Iterator, List, Mapping, Optional

import requests

from launcher.settings import LauncherSettings

ROOT = Path(__file__).resolve().parent.parent
#: How often a starting server is asked whether it is up (also the precision of the cold
#: start that the benchmark measures).
POLL_INTERVAL = 0.1
#: Seconds a server has to stop after SIGTERM before it is killed.
STOP_TIMEOUT = 30.0


class ServerError(RuntimeError):
    """A server exited or never answered; the message ends with its log, if it has one."""


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tail(log: Optional[Path]) -> str:
    """The end of a server's log ("" without one)."""
    if log is None or not log.is_file():
        return ""
    return log.read_text(errors="replace")[-3000:]


def start(command: List[str], env: Mapping[str, str], log: Optional[Path]) -> subprocess.Popen:
    """Start ``command`` from the project's folder, in a session of its own.

    Args:
        log: the file its output goes to; None: this process's output (the terminal).
    """
    out: Optional[IO[str]] = log.open("w") if log is not None else None
    try:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=dict(env),
            stdout=out,
            stderr=out,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    finally:
        if out is not None:
            out.close()


def _signal_group(child: subprocess.Popen, number: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(child.pid, number)


def stop(*children: subprocess.Popen, timeout: float = STOP_TIMEOUT) -> None:
    """Stop ``children`` and what they started: SIGTERM to each, then SIGKILL to any still
    running after ``timeout`` s."""
    running = [child for child in children if child.poll() is None]
    for child in running:
        _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in running:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)
            child.wait()


@contextmanager
def process(
    command: List[str], env: Mapping[str, str], log: Optional[Path]
) -> Iterator[subprocess.Popen]:
    """Run ``command`` (:func:`start`) until the block ends, then stop it."""
    child = start(command, env, log)
    try:
        yield child
    finally:
        stop(child)


def wait_until_up(
    url: str,
    child: subprocess.Popen,
    log: Optional[Path] = None,
    timeout: Optional[float] = None,
) -> None:
    """Wait until ``url`` answers 2xx.

    Args:
        timeout: seconds (default: ``CONVERSATION_STARTUP_TIMEOUT``, 240).

    Raises:
        ServerError: ``child`` exited first, or nothing answered in time.
    """
    if timeout is None:
        timeout = LauncherSettings.from_env().startup_timeout
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise ServerError(f"{url} exited with {child.returncode}:\n{tail(log)}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(POLL_INTERVAL)
    raise ServerError(f"{url} did not answer in {timeout:.0f}s:\n{tail(log)}")
