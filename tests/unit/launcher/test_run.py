"""launcher/run.py: ``make run``, every role on its port until Ctrl-C.

The plan (commands, environments, banner) is checked without starting anything; the
launcher run for real on free ports, as ``make run`` runs it, is
tests/integration/launcher/test_run.py.
"""

from __future__ import annotations

import stat
from pathlib import Path

from launcher import roles
from launcher.rasa_run import rasa_arguments
from launcher.run import keep_token, plan

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
    # In the Rasa server's environment, never on a command line (which every user of the
    # machine can read): launcher/rasa_run.py hands it to Rasa.
    assert all("t0k" not in command for command in the_plan.commands.values())
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
    assert rasa_arguments(the_plan.commands["rasa"][3:], the_plan.envs["rasa"])[-2:] == [
        "--endpoints", "endpoints.yml",
    ]  # fmt: skip
    assert "Staff app" not in the_plan.banner
    jwt = plan(MODEL, {**PORTS, "STAFF_APP": "0", "RASA_JWT_SECRET": "s3cret"}, "")
    assert all("s3cret" not in command for command in jwt.commands.values())
    assert rasa_arguments(jwt.commands["rasa"][3:], jwt.envs["rasa"])[-5:] == [
        "--enable-api", "--jwt-secret", "s3cret", "--jwt-method", "HS256",
    ]  # fmt: skip


def test_the_rasa_server_gets_its_api_secrets_from_its_environment() -> None:
    the_plan = plan(MODEL, PORTS, "t0k")
    command = the_plan.commands["rasa"]
    assert command[1:3] == ["-m", "launcher.rasa_run"]
    argv = rasa_arguments(command[3:], the_plan.envs["rasa"])
    assert argv[:3] == ["run", "--model", str(MODEL)]
    assert argv[-3:] == ["--enable-api", "--auth-token", "t0k"]


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
