"""launcher/run.py: ``make run``, every role on its port until Ctrl-C.

The plan (commands, environments, banner) is checked without starting anything; then the
launcher is run for real on free ports, as ``make run`` runs it, and stopped with SIGINT.
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

from launcher import processes, roles
from launcher.run import keep_token, plan
from tests.conftest import TEST_CLINIC_YAML
from tests.launcher.procfs import children, in_sessions
from tests.servers import trained_model

MODEL = Path("/models/clinic-abc.tar.gz")
PORTS = {"RASA_PORT": "5105", "ACTION_SERVER_PORT": "5155", "WEB_PORT": "8180"}


def test_make_run_starts_each_role_as_deploy_start_sh_does() -> None:
    base = {**PORTS, "STAFF_PORT": "8190", "MODEL": str(MODEL)}
    the_plan = plan(MODEL, base, "t0k")
    assert list(the_plan.commands) == ["actions", "rasa", "web", "staff"]
    for role, command in the_plan.commands.items():
        assert command == roles.command(role, the_plan.envs[role]), role
    assert the_plan.health == {
        "actions": "http://127.0.0.1:5155/health",
        "rasa": "http://127.0.0.1:5105/",
        "web": "http://127.0.0.1:8180/health",
        "staff": "http://127.0.0.1:8190/health",
    }


def test_the_api_token_goes_to_the_rasa_server_and_the_staff_app_alone() -> None:
    the_plan = plan(MODEL, {**PORTS, "RASA_API_TOKEN": "from-the-caller"}, "t0k")
    assert the_plan.commands["rasa"][-3:] == ["--enable-api", "--auth-token", "t0k"]
    assert the_plan.envs["rasa"]["RASA_API_TOKEN"] == "t0k"
    assert the_plan.envs["staff"]["RASA_API_TOKEN"] == "t0k"
    assert "RASA_API_TOKEN" not in the_plan.envs["actions"]
    assert "RASA_API_TOKEN" not in the_plan.envs["web"]
    # The roles share one action server secret, and the rest of their environment.
    secrets = {env["ACTION_SERVER_SECRET"] for env in the_plan.envs.values()}
    assert len(secrets) == 1


def test_without_the_staff_app_or_a_token_the_api_stays_off() -> None:
    the_plan = plan(MODEL, {**PORTS, "STAFF_APP": "0"}, "")
    assert list(the_plan.commands) == ["actions", "rasa", "web"]
    assert "--enable-api" not in the_plan.commands["rasa"]
    assert "Staff app" not in the_plan.banner
    jwt = plan(MODEL, {**PORTS, "STAFF_APP": "0", "RASA_JWT_SECRET": "s"}, "")
    assert jwt.commands["rasa"][-5:] == [
        "--enable-api", "--jwt-secret", "s", "--jwt-method", "HS256",
    ]  # fmt: skip


def test_the_banner_says_where_each_server_is() -> None:
    banner = plan(MODEL, {**PORTS, "STAFF_PORT": "8190"}, "t0k").banner
    assert "The assistant is ready." in banner
    assert "curl -s -X POST http://127.0.0.1:5105/webhooks/rest/webhook" in banner
    assert "Clinic page:    http://localhost:8180" in banner
    origins = "http://localhost:8180,http://127.0.0.1:8180"
    assert f"socket.io:      http://127.0.0.1:5105/socket.io  (origins: {origins})" in banner
    assert "action server:  http://127.0.0.1:5155/health" in banner
    assert "Staff app:      http://localhost:8190" in banner
    assert "make staff-user NAME=..." in banner
    assert banner.rstrip().endswith("Press Ctrl-C to stop.")
    assert "t0k" not in banner


def test_the_token_is_kept_for_its_owner_alone(tmp_path: Path) -> None:
    path = tmp_path / "var" / "rasa-api-token"
    keep_token("t0k", path)
    assert path.read_text() == "t0k\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


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
