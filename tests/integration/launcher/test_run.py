"""launcher/run.py: ``make run`` for real, every role on a free port, stopped with SIGINT,
SIGTERM or SIGHUP; a server that cannot start stops the others. The plan (commands,
environments, banner) is checked without starting anything in tests/unit/launcher/test_run.py.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Iterator

import pytest
import requests

from launcher import processes
from tests.support.procfs import children, in_sessions
from tests.support.project import TEST_CLINIC_YAML
from tests.support.servers import trained_model


@pytest.fixture
def run_env(tmp_path: Path) -> Dict[str, str]:
    """The environment of a `make run` on free ports, with every file in ``tmp_path``."""
    clinic = tmp_path / "clinic.yml"
    clinic.write_text(TEST_CLINIC_YAML, encoding="utf-8")
    return {
        **{k: v for k, v in os.environ.items() if k != "RASA_API_TOKEN"},
        "RASA_PORT": str(processes.free_port()),
        "ACTION_SERVER_PORT": str(processes.free_port()),
        "WEB_PORT": str(processes.free_port()),
        "STAFF_PORT": str(processes.free_port()),
        "STAFF_DB": str(tmp_path / "staff.db"),
        "STAFF_MODELS": str(tmp_path / "published"),
        "STAFF_SECRET_KEY": "test-key",
        "RASA_API_TOKEN_FILE": str(tmp_path / "rasa-api-token"),
        "TRACKER_DB": str(tmp_path / "var" / "tracker.db"),
        "CLINIC_CONFIG": str(clinic),
        "DATABASE_URL": "",
        "REDIS_URL": "",
    }


def wait_for(log: Path, text: str, child: subprocess.Popen, timeout: float) -> str:
    """The launcher's output once it holds ``text``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        output = log.read_text(errors="replace")
        if text in output:
            return output
        if child.poll() is not None:
            break
        time.sleep(0.5)
    pytest.fail(f"no {text!r} from the launcher:\n{log.read_text(errors='replace')[-4000:]}")


@pytest.fixture
def launcher_run(run_env: Dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen]:
    """``python -m launcher run`` (what `make run` runs after set-up and training)."""
    log = tmp_path / "run.log"
    with log.open("w") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "launcher", "run", "--model", str(trained_model())],
            cwd=processes.ROOT,
            env=run_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield child
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
            child.wait(timeout=60)


@pytest.mark.integration
@pytest.mark.parametrize(
    "stop_signal",
    # Ctrl-C, `kill` (or docker stop), the terminal closed.
    [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
    ids=["SIGINT", "SIGTERM", "SIGHUP"],
)
def test_make_run_serves_every_role_and_ctrl_c_stops_them_all(
    launcher_run: subprocess.Popen, run_env: Dict[str, str], tmp_path: Path, stop_signal: int
) -> None:
    log = tmp_path / "run.log"
    wait_for(log, "Press Ctrl-C to stop.", launcher_run, timeout=400)
    servers = children(launcher_run.pid)
    assert len(servers) == 4
    rasa = f"http://127.0.0.1:{run_env['RASA_PORT']}"

    reply = requests.post(
        f"{rasa}/webhooks/rest/webhook",
        json={"sender": "t1", "message": "How long do results last?"},
        timeout=60,
    )
    assert "months" in " ".join(m.get("text", "") for m in reply.json())
    staff = requests.get(f"http://127.0.0.1:{run_env['STAFF_PORT']}/health", timeout=10)
    assert staff.ok
    assert requests.get(f"http://127.0.0.1:{run_env['WEB_PORT']}/health", timeout=10).ok
    # The token made for this start: the API takes it and nothing else; kept for its owner.
    token_file = Path(run_env["RASA_API_TOKEN_FILE"])
    token = token_file.read_text().strip()
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    # On no command line, which every user of the machine can read (ps, /proc).
    for pid in servers:
        assert token not in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    # What the servers write (conversations, staff accounts) is their user's alone.
    for stored in (Path(run_env["TRACKER_DB"]), Path(run_env["STAFF_DB"])):
        assert stat.S_IMODE(stored.stat().st_mode) & 0o077 == 0, stored
    assert requests.get(f"{rasa}/status", params={"token": token}, timeout=10).ok
    assert requests.get(f"{rasa}/status", timeout=10).status_code == 401

    launcher_run.send_signal(stop_signal)

    assert launcher_run.wait(timeout=60) == 0
    assert "run: stopping the servers" in log.read_text()
    assert in_sessions(servers) == []
    assert not token_file.exists()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{rasa}/", timeout=5)


@pytest.mark.integration
def test_a_server_that_cannot_start_stops_the_others(
    run_env: Dict[str, str], tmp_path: Path
) -> None:
    # The website's port is taken: the website exits, and make run stops with it.
    with processes.process(
        [sys.executable, "-m", "http.server", run_env["WEB_PORT"], "--bind", "127.0.0.1"],
        dict(os.environ),
        tmp_path / "taken.log",
    ) as taken:
        processes.wait_until_up(f"http://127.0.0.1:{run_env['WEB_PORT']}/", taken, timeout=30)
        log = tmp_path / "run.log"
        with log.open("w") as out:
            launcher = subprocess.Popen(
                [sys.executable, "-m", "launcher", "run", "--model", str(trained_model())],
                cwd=processes.ROOT,
                env={**run_env, "STAFF_APP": "0"},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        seen: set[int] = set()
        deadline = time.monotonic() + 120
        while launcher.poll() is None and time.monotonic() < deadline:
            seen.update(children(launcher.pid))
            time.sleep(0.05)
        assert launcher.wait(timeout=60) == 1
    assert len(seen) >= 2  # the action server and the Rasa server, at least, had started
    output = log.read_text()
    assert "run: the servers are not ready" in output
    assert "run: stopping the servers" in output
    assert "The assistant is ready." not in output
    assert in_sessions(sorted(seen)) == []
