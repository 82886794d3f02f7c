"""The processes of this machine, from /proc: what the launcher's tests check is gone."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple


def _stat(pid_dir: Path) -> Tuple[int, int, str]:
    """Parent pid, session id and state of a process (``man proc``: /proc/<pid>/stat)."""
    text = (pid_dir / "stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), int(fields[3]), fields[0]


def processes() -> Dict[int, Tuple[int, int, str]]:
    """Every live process: pid -> (parent pid, session id, state); zombies left out."""
    found: Dict[int, Tuple[int, int, str]] = {}
    for pid_dir in Path("/proc").glob("[0-9]*"):
        try:
            parent, session, state = _stat(pid_dir)
        except (OSError, ValueError):
            continue  # it ended meanwhile
        if state != "Z":
            found[int(pid_dir.name)] = (parent, session, state)
    return found


def children(pid: int) -> List[int]:
    """The live children of ``pid``."""
    return sorted(p for p, (parent, _, _) in processes().items() if parent == pid)


def in_sessions(sessions: List[int]) -> List[int]:
    """The live processes of these sessions."""
    return sorted(p for p, (_, session, _) in processes().items() if session in sessions)
