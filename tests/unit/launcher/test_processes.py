"""launcher/processes.py: start a server, wait until it answers, stop it and what it
started."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from launcher import processes
from tests.support.procfs import in_sessions


def test_a_free_port_is_free() -> None:
    port = processes.free_port()
    assert 1024 <= port < 65536


def test_waiting_ends_when_the_server_answers(tmp_path: Path) -> None:
    port = processes.free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    log = tmp_path / "http.log"
    with processes.process(command, dict(os.environ), log) as child:
        processes.wait_until_up(f"http://127.0.0.1:{port}/", child, log, timeout=30)
        assert child.poll() is None


def test_a_server_that_exits_is_reported_with_its_log(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "import sys; print('no model here'); sys.exit(3)"]
    log = tmp_path / "rasa.log"
    with processes.process(command, dict(os.environ), log) as child:
        port = processes.free_port()
        with pytest.raises(processes.ServerError, match=r"exited with 3:\nno model here"):
            processes.wait_until_up(f"http://127.0.0.1:{port}/", child, log, timeout=30)


def test_a_server_that_never_answers_is_reported(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "import time; time.sleep(30)"]
    with processes.process(command, dict(os.environ), None) as child:
        port = processes.free_port()
        with pytest.raises(processes.ServerError, match="did not answer in 1s"):
            processes.wait_until_up(f"http://127.0.0.1:{port}/", child, timeout=1)


def test_stopping_a_server_stops_what_it_started(tmp_path: Path) -> None:
    # A server with a worker of its own (as Rasa with SANIC_WORKERS=2).
    command = ["sh", "-c", "sleep 300 & sleep 300"]
    child = processes.start(command, dict(os.environ), tmp_path / "log")
    deadline = time.monotonic() + 10
    while len(in_sessions([child.pid])) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(in_sessions([child.pid])) == 3  # sh and its two sleeps, in a session of its own
    assert os.getsid(child.pid) == child.pid != os.getsid(0)

    processes.stop(child, timeout=10)

    assert child.returncode is not None
    deadline = time.monotonic() + 10
    while in_sessions([child.pid]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert in_sessions([child.pid]) == []
