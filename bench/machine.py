"""The machine and the software a benchmark ran on."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parent.parent


def _proc_field(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def describe() -> Dict[str, Any]:
    """CPU, cores, memory, OS, Python and package versions, and the git commit."""
    mem_kib = _proc_field("/proc/meminfo", "MemTotal").split()[0]
    return {
        "cpu": _proc_field("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "memory_gib": round(int(mem_kib) / 1024**2, 1) if mem_kib.isdigit() else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "rasa": _version("rasa"),
        "rasa_sdk": _version("rasa-sdk"),
        "tensorflow": _version("tensorflow"),
        "sanic": _version("sanic"),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


#: What a trained model of either configuration is made from.
MODEL_INPUTS = (
    "config.yml",
    "bench/baseline_config.yml",
    "domain.yml",
    "data",
    "components",
    "nlp",
)
#: Package versions a model depends on (compared, rather than requirements.txt, which also
#: pins tools that do not touch a model).
MODEL_PACKAGES = ("rasa", "tensorflow")


def inputs_changed_since(commit: str) -> List[str]:
    """The files a model is made from that differ now from ``commit`` (committed or not);
    ["(unknown)"] when git cannot tell."""
    out = _git("diff", "--name-only", commit, "--", *MODEL_INPUTS)
    if out == "unknown":
        return ["(unknown)"]
    return [line for line in out.splitlines() if line.strip()]


def load_average() -> float:
    """The 1-minute load average (how busy the machine was before a measurement)."""
    return os.getloadavg()[0]


def _clock_ticks() -> int:
    return int(os.sysconf("SC_CLK_TCK"))


def busy_cpu_s() -> float:
    """CPU seconds all processes of the machine have used since boot (/proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _clock_ticks()


def process_cpu_s(pid: int) -> float:
    """CPU seconds of a process and of its children that ended and were waited for."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime + cutime + cstime) / _clock_ticks()


def pids_named(name: str) -> List[int]:
    """The processes whose command name (/proc/<pid>/comm) is ``name``."""
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == name:
                found.append(int(comm.parent.name))
        except (OSError, ValueError):
            continue
    return found


def _descendants(pid: int) -> List[int]:
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                continue
    return tree


@dataclass
class OthersMeter:
    """How much CPU processes other than the benchmark's own used during a measurement,
    in cores (0.0: the machine was the benchmark's alone; 1.0: a whole core was busy with
    something else). The benchmark's own processes are this one and its descendants (the
    servers, py-spy)."""

    start: float = 0.0
    busy: float = 0.0
    own: Dict[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.restart()

    def _own(self) -> Dict[int, float]:
        return {pid: process_cpu_s(pid) for pid in _descendants(os.getpid())}

    def restart(self) -> None:
        self.start, self.busy, self.own = time.monotonic(), busy_cpu_s(), self._own()

    def cores(self) -> float:
        """Others' average CPU use since the start, in cores."""
        elapsed = time.monotonic() - self.start
        if elapsed <= 0:
            return 0.0
        own_now = self._own()
        own_used = sum(own_now[p] - self.own.get(p, 0.0) for p in own_now)
        return max(0.0, (busy_cpu_s() - self.busy - own_used) / elapsed)
