"""Rasa's own data check (``rasa data validate``), its messages put into plain words."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import List, Optional, Tuple

from staff import data
from staff.problems import Problem
from staff.settings import without_secrets

ROOT = data.ROOT

#: How long Rasa's data check may take.
VALIDATE_TIMEOUT = 600

#: Rasa's messages of `rasa data validate` -> the same in plain words.
RASA_MESSAGES: List[Tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"The example '(?P<text>.*)' was found labeled with multiple different intents.*"
            r"labeled with: (?P<intents>.+?)\.?$",
            re.S,
        ),
        "The example '{text}' is under both {intents}.",
    ),
    (
        re.compile(r"labeled with intent '(?P<intent>.+?)'\. This intent is not listed"),
        "Examples are labelled '{intent}', which is not one of the assistant's intents "
        "(domain.yml).",
    ),
    (
        re.compile(r"The action '(?P<name>.+?)' is used in the (stories|'.*?' block), but"),
        "The rules or stories use '{name}', which the assistant does not know (domain.yml).",
    ),
    (
        re.compile(r"Story structure conflict after (?P<after>.+?):", re.S),
        "Two rules or stories disagree on what to do after {after}.",
    ),
    (
        re.compile(
            r"(?:doesn't|does not) start with a '-' symbol: (?P<line>.*?)\s*This training",
            re.S,
        ),
        "A line of an examples list does not start with '- ': '{line}'.",
    ),
    (
        re.compile(r"Failed to read '(?P<file>[^']+)'.*?line (?P<line>\d+)", re.S),
        "The file {file} cannot be read: there is a mistake on or near line {line}.",
    ),
    (
        re.compile(r"The file '(?P<file>[^']+)' does not exist", re.S),
        "The file {file} is missing.",
    ),
]

#: A line that starts one of Rasa's messages: a Python warning, a log line or an error.
_WARNING = re.compile(r"^\S+\.py:\d+: \w*Warning: (?P<message>.*)$")
_LOG = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+(?P<level>[A-Z]+)\s+\S+\s+-\s+(?P<message>.*)$"
)
_NOISE = (
    "More info at",
    "docs=",
    "rasa.shared.utils.io.raise_warning",
    "warnings.warn",
)
#: The levels of Rasa's log lines that are messages about the data.
LEVELS = ("WARNING", "ERROR", "CRITICAL")
#: Rasa's colours.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: What Rasa says that does not fail its check: about reading any project (this one
#: included), or what it only notes (responses sent by custom actions, domain intents).
BENIGN = (
    "Slot auto-fill has been removed",
    "duplicated intents have been found across multiple domain files",
    "pkg_resources",
    "declare_namespace",
    "load_module()",
    "is deprecated",
    "is not used in any story or rule",
    "is listed in the domain file, but is not found in the NLU training data",
)


def _messages(output: str) -> List[str]:
    """The messages of Rasa's output: each warning or error with its continuation lines,
    without tracebacks, code lines or documentation links."""
    messages: List[str] = []
    current: Optional[List[str]] = None
    for line in _ANSI.sub("", output).splitlines():
        log = _LOG.match(line)
        start = _WARNING.match(line) or (log if log and log["level"] in LEVELS else None)
        if start or log or line.startswith("Processed "):  # a new message, or other output
            if current is not None:
                messages.append(" ".join(current).strip())
            current = [start.group("message").strip()] if start else None
        elif line.startswith(("Traceback", "  File ")) or line.strip().startswith(_NOISE):
            if current is not None:
                messages.append(" ".join(current).strip())
            current = None
        elif current is not None and line.strip():
            current.append(line.strip())
        elif current is not None:
            messages.append(" ".join(current).strip())
            current = None
    if current is not None:
        messages.append(" ".join(current).strip())
    return [m for m in messages if m]


def _plain(message: str, root: Path) -> str:
    for pattern, template in RASA_MESSAGES:
        match = pattern.search(message)
        if match:
            values = {k: (v or "").strip() for k, v in match.groupdict().items()}
            if "intents" in values:
                names = [data.topic_label(n.strip()) for n in values["intents"].split(",")]
                values["intents"] = " and ".join(names)
            if "text" in values:
                values["text"] = values["text"].strip()
            for key in ("file",):
                if key in values:
                    values[key] = _relative(values[key], root)
            return template.format(**values)
    first = re.split(r"(?<=[.!?])\s", message, maxsplit=1)[0]
    return f"Rasa's data check says: {_relative_in(first, root)}"


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path


def _relative_in(text: str, root: Path) -> str:
    return text.replace(str(root.resolve()) + os.sep, "").replace(str(root) + os.sep, "")


def translate(output: str, returncode: int, root: Path = ROOT) -> List[Problem]:
    """The output of ``rasa data validate --fail-on-warning`` as plain-words problems:
    none when it passed (exit code 0), else each of its messages about the data."""
    if returncode == 0:
        return []
    problems: List[Problem] = []
    for message in _messages(output):
        if any(benign in message for benign in BENIGN):
            continue
        plain = _plain(message, root)
        if Problem("data", plain) not in problems:
            problems.append(Problem("data", plain))
    if not problems:
        lines = [
            line.strip()
            for line in _ANSI.sub("", output).splitlines()
            if line.strip() and not line.startswith((" ", "Traceback"))
        ]
        last = _relative_in(lines[-1], root) if lines else "no message"
        problems.append(Problem("data", f"Rasa's data check failed: {last}"))
    return problems


def validate_command(root: Path) -> List[str]:
    """``rasa data validate`` on the project in ``root``, as ``make test`` runs it."""
    return [
        sys.executable, "-m", "rasa", "data", "validate", "--fail-on-warning",
        "--config", str(root / "config.yml"), "--domain", str(root / "domain.yml"),
        "--data", str(root / "data"),
    ]  # fmt: skip


def validate(root: Path = ROOT) -> List[Problem]:
    """Rasa's own data check of the project, in plain words."""
    env = {
        **without_secrets(os.environ),
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
    }
    try:
        done = subprocess.run(
            validate_command(root),
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=VALIDATE_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return [
            Problem("data", f"Rasa's data check did not finish in {VALIDATE_TIMEOUT} seconds.")
        ]
    except OSError as error:
        return [Problem("data", f"Rasa's data check could not start: {error.strerror}.")]
    return translate(done.stdout + "\n" + done.stderr, done.returncode, root)
