"""``make run``: every role on this machine, on its fixed port, until Ctrl-C.

The action server, the Rasa server (REST, socket.io and the messaging channels that are
configured), the demo clinic website and the staff app (``STAFF_APP=0`` leaves it out),
each with the command of :mod:`launcher.roles` and the environment of
:mod:`launcher.environment`, their output in this terminal. Once they answer, a banner says
where each one is; when one of them stops, or on Ctrl-C (SIGINT) or SIGTERM, all stop.

Rasa's HTTP API (models, trackers) stays off unless ``RASA_API_TOKEN`` or
``RASA_JWT_SECRET`` is set: then it is on, and every call must carry it. The staff app
loads published models through it: with the app on and no token set, a new random token
is made for this start and given to the Rasa server and the staff app alone, and kept,
readable by this user only, in ``RASA_API_TOKEN_FILE`` (var/rasa-api-token) while the
assistant runs, so that ``make publish`` in another terminal can load its model too.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, TextIO

from actions.settings import action_server_host, action_server_port
from launcher.environment import role_environment
from launcher.processes import ServerError, start, stop, wait_until_up
from launcher.roles import module_command, prepare_rasa, rasa_command
from launcher.settings import LauncherSettings
from staff.settings import StaffSettings
from web.settings import load_settings

#: Seconds the staff app may take to answer after the other servers do.
STAFF_READY_SECONDS = 60.0
#: How often the running servers are checked.
POLL_SECONDS = 0.5
#: The signals that stop the servers: Ctrl-C, ``kill``, the terminal closed.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
#: Roles that get the Rasa API token; the others never see it.
TOKEN_ROLES = ("rasa", "staff")


@dataclass(frozen=True)
class Plan:
    """What ``make run`` starts: each role's command and environment, where each answers
    once it is ready, and the banner to show then."""

    commands: Dict[str, List[str]]
    envs: Dict[str, Dict[str, str]]
    health: Dict[str, str]
    banner: str


def new_token() -> str:
    """A new random token for Rasa's HTTP API."""
    return secrets.token_hex(24)


def plan(model: Path, base: Mapping[str, str], token: str) -> Plan:
    """The roles of ``make run`` with ``model``, from the environment ``base``.

    Args:
        token: the Rasa API token of this start ("" for none); only the Rasa server and the
            staff app get it.
    """
    env = role_environment(base)
    settings = LauncherSettings.from_env(env)
    web = load_settings(env)
    action_host, action_port = action_server_host(env), action_server_port(env)
    commands = {
        "actions": module_command("actions"),
        # The API's token and secret reach it in its environment (launcher/rasa_run.py).
        "rasa": rasa_command(model, settings.rasa_host, settings.rasa_port),
        "web": module_command("web"),
    }
    health = {
        "actions": f"http://{action_host}:{action_port}/health",
        "rasa": f"http://{settings.rasa_host}:{settings.rasa_port}/",
        "web": f"http://{web.host}:{web.port}/health",
    }
    staff_line = ""
    if settings.staff_app:
        staff = StaffSettings.from_env(env)
        commands["staff"] = module_command("staff")
        health["staff"] = f"http://{staff.host}:{staff.port}/health"
        staff_line = (
            f"    Staff app:      http://localhost:{staff.port}  (review, teach, edit answers, "
            "publish;\n                    accounts: make staff-user NAME=...)\n"
        )
    without_token = {k: v for k, v in env.items() if k != "RASA_API_TOKEN"}
    envs = {
        role: {**env, "RASA_API_TOKEN": token} if role in TOKEN_ROLES else dict(without_token)
        for role in commands
    }
    rasa = f"http://{settings.rasa_host}:{settings.rasa_port}"
    banner = (
        "\n  The assistant is ready.\n"
        f"    REST channel:   curl -s -X POST {rasa}/webhooks/rest/webhook \\\n"
        "                      -H 'Content-Type: application/json' \\\n"
        """                      -d '{"sender": "visitor-1", "message": """
        """"How long do results last?"}'\n"""
        f"    Clinic page:    http://localhost:{web.port}  (the chat widget, bottom right)\n"
        f"    socket.io:      {rasa}/socket.io  (origins: {env['SOCKETIO_CORS_ORIGINS']})\n"
        f"    action server:  {health['actions']}\n"
        f"{staff_line}"
        "  Press Ctrl-C to stop.\n"
    )
    return Plan(commands, envs, health, banner)


def keep_token(token: str, path: Path) -> None:
    """Write ``token`` to ``path``, readable by this user only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(token + "\n")


def wait_ready(plan: Plan, children: Dict[str, subprocess.Popen], timeout: float) -> None:
    """Wait until the action server, the Rasa server (its model loaded) and the website
    answer, within ``timeout`` s in all; then up to a minute for the staff app.

    Raises:
        ServerError: a server stopped, or did not answer in time.
    """
    deadline = time.monotonic() + timeout
    for role in ("actions", "rasa", "web"):
        remaining = max(0.0, deadline - time.monotonic())
        try:
            wait_until_up(plan.health[role], children[role], timeout=remaining)
        except ServerError as error:
            raise ServerError(f"the servers are not ready: {error}") from None
    if "staff" in children:
        try:
            wait_until_up(plan.health["staff"], children["staff"], timeout=STAFF_READY_SECONDS)
        except ServerError as error:
            print(f"run: the staff app is not answering yet: {error}", file=sys.stderr)


def first_to_stop(children: Dict[str, subprocess.Popen]) -> str:
    """Wait until one of ``children`` stops; its role."""
    while True:
        for role, child in children.items():
            if child.poll() is not None:
                return role
        time.sleep(POLL_SECONDS)


def run(model: Path, base: Mapping[str, str], out: TextIO = sys.stdout) -> int:
    """Start every role with ``model``, show the banner, and run until one stops or the
    launcher is asked to stop; then stop them all.

    Returns:
        0 when asked to stop, else the exit status of the server that stopped (1 if it
        stopped with none).
    """
    settings = LauncherSettings.from_env(base)
    token, made = settings.api_token, False
    if settings.staff_app and not token:
        token, made = new_token(), True
    the_plan = plan(model, base, token)
    prepare_rasa(the_plan.envs["rasa"])
    # Ctrl-C (SIGINT), SIGTERM and a closed terminal (SIGHUP) stop the servers: each
    # raises KeyboardInterrupt, even when this process was started with SIGINT ignored
    # (in the background of a script).
    previous = {n: signal.signal(n, signal.default_int_handler) for n in STOP_SIGNALS}
    children: Dict[str, subprocess.Popen] = {}
    try:
        if made:
            keep_token(token, settings.token_file)
        for role, command in the_plan.commands.items():
            children[role] = start(command, the_plan.envs[role], None)
        wait_ready(the_plan, children, settings.ready_timeout)
        print(the_plan.banner, file=out, flush=True)
        role = first_to_stop(children)
        code = children[role].returncode
        print(f"\nrun: the {role} server stopped (exit status {code})", file=out, flush=True)
        return code or 1
    except ServerError as error:
        print(f"run: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        # A second Ctrl-C must not leave servers behind: stopping takes 30 s at most.
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_IGN)
        with suppress(OSError):  # the terminal may be gone (SIGHUP)
            print("\nrun: stopping the servers", file=out, flush=True)
        stop(*children.values())
        if made:
            settings.token_file.unlink(missing_ok=True)
        for number, handler in previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
