"""``make shell``: chat with the assistant in the terminal.

The action server (its output in ``var/actions.log``) and ``rasa shell`` with the project's
``endpoints.yml``, both with the environment every role gets; the action server stops when
the shell ends.
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


def _ignore(number: int, frame: Optional[FrameType]) -> None:
    """Ctrl-C belongs to ``rasa shell`` (which gets it too) while it runs."""


def shell(model: Path, base: Mapping[str, str]) -> int:
    """Run ``rasa shell`` with ``model`` and an action server until the shell ends; its
    exit status."""
    env = role_environment(base)
    ACTIONS_LOG.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "rasa", "shell", "--model", str(model),
        "--endpoints", "endpoints.yml",
    ]  # fmt: skip
    with process(module_command("actions"), env, ACTIONS_LOG):
        previous = signal.signal(signal.SIGINT, _ignore)
        try:
            return subprocess.call(command, cwd=ROOT, env=env)
        finally:
            signal.signal(signal.SIGINT, previous)
