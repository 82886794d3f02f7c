"""``make shell``: chat with the assistant in the terminal.

The action server (its output in ``var/actions.log``) and ``rasa shell`` with the project's
``endpoints.yml``, both with the environment every role gets; the action server stops when
the shell ends, or when the launcher is stopped (SIGTERM, or the terminal closed).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType
from typing import Mapping, Optional

from launcher.environment import role_environment
from launcher.processes import ROOT, process
from launcher.roles import module_command

ACTIONS_LOG = ROOT / "var" / "actions.log"


def _leave_to_the_shell(number: int, frame: Optional[FrameType]) -> None:
    """Ctrl-C belongs to ``rasa shell``, which gets it too (a handler of this process, not
    an ignored signal: ``rasa shell`` would inherit that)."""


def shell(model: Path, base: Mapping[str, str]) -> int:
    """Run ``rasa shell`` with ``model`` and an action server until the shell ends; its
    exit status."""
    env = role_environment(base)
    ACTIONS_LOG.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "rasa", "shell", "--model", str(model),
        "--endpoints", "endpoints.yml",
    ]  # fmt: skip
    handlers = {
        signal.SIGINT: _leave_to_the_shell,
        signal.SIGTERM: signal.default_int_handler,
        signal.SIGHUP: signal.default_int_handler,
    }
    previous = {number: signal.signal(number, handler) for number, handler in handlers.items()}
    try:
        with process(module_command("actions"), env, ACTIONS_LOG):
            return subprocess.call(command, cwd=ROOT, env=env)
    except KeyboardInterrupt:  # SIGTERM or SIGHUP: rasa shell was stopped with it
        return 1
    finally:
        for number, handler in previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
