"""Running a job's commands (``rasa train``, ``rasa test nlu``, the test suites) as
subprocesses: their output goes to the job's log and, line by line, to whoever reads it;
``rasa train``'s output moves the progress bar on (:class:`TrainingProgress`)."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path
from typing import IO, Callable, List, Optional, Tuple

from staff.publish.files import ROOT
from staff.settings import without_secrets

#: How a job runs a command: (command, log, called with each line, timeout) -> exit code.
#: :func:`run_command`; a fake replaces it in unit tests.
Runner = Callable[[List[str], IO[str], Callable[[str], None], float], int]

# Rasa's training output: the component it starts ("Starting to train component 'X'").
_COMPONENT = re.compile(r"Starting to train component '(\w+)'")
#: The components whose start moves the progress bar on: (its share, what it does).
STAGES = {
    "CountVectorsFeaturizer": (15, "reading the examples"),
    "IntentTopicClassifier": (30, "learning which answer each question wants"),
    "LanguageGate": (60, "learning the words of English"),
    "RulePolicy": (70, "learning the conversation rules"),
}


def run_command(
    command: List[str], log: IO[str], on_line: Callable[[str], None], timeout: float
) -> int:
    """Run ``command`` from the code's folder, its output to ``log`` and, line by line
    (tqdm's carriage returns count as line ends), to ``on_line``; its exit code.

    Raises:
        subprocess.TimeoutExpired: it ran longer than ``timeout`` seconds (it is stopped).
    """
    env = {
        **without_secrets(os.environ),
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
    }
    log.write(f"$ {' '.join(command)}\n")
    log.flush()
    child = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    deadline = time.monotonic() + timeout
    assert child.stdout is not None
    try:
        for line in child.stdout:  # universal newlines: "\r" ends a line too
            log.write(line if line.endswith("\n") else line + "\n")
            on_line(line.rstrip("\n"))
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(command, timeout)
        return child.wait(timeout=max(deadline - time.monotonic(), 1))
    except BaseException:
        child.kill()
        child.wait()
        raise
    finally:
        log.flush()


def last_error(log: IO[str], path: Path) -> str:
    """The last line of a job's log (``log``, open on ``path``) that reads like an error,
    without the traceback."""
    log.flush()
    lines = [line.strip() for line in path.read_text(errors="replace").splitlines()]
    errors = [
        line
        for line in lines
        if re.search(r"(Error|Exception|error:|ERROR)", line) and not line.startswith("File ")
    ]
    text = (errors or [line for line in lines if line] or ["no message"])[-1]
    return text[:300]


class TrainingProgress:
    """Reads ``rasa train``'s output, line by line, into the job's stage and percent: Rasa
    names each component it starts training (:data:`STAGES`)."""

    def __init__(self) -> None:
        self.percent = 0

    def read(self, line: str) -> Optional[Tuple[str, int]]:
        """(stage, percent) when ``line`` moves the progress on, else None."""
        component = _COMPONENT.search(line)
        if not component or component.group(1) not in STAGES:
            return None
        percent, words = STAGES[component.group(1)]
        if percent <= self.percent:
            return None  # a second featuriser of the same kind
        self.percent = percent
        return f"Training: {words}", percent
