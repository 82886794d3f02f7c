"""Running a job's commands: their output read line by line, a timeout, and ``rasa
train``'s output moving the progress bar on."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from staff.publish.runner import TrainingProgress, run_command


def test_training_output_moves_the_progress_bar() -> None:
    progress = TrainingProgress()
    lines = [
        "2026-11-26 11:00:00 INFO rasa.engine.training.hooks - Starting to train component "
        "'CountVectorsFeaturizer'.",
        "Starting to train component 'CountVectorsFeaturizer'.",
        "some other line",
        "Starting to train component 'IntentTopicClassifier'.",
        "Starting to train component 'LanguageGate'.",
        "Starting to train component 'RulePolicy'.",
    ]
    read = [progress.read(line) for line in lines]
    assert read[0] == ("Training: reading the examples", 15)
    assert read[1] is None and read[2] is None  # the second featuriser, and other output
    assert read[3] == ("Training: learning which answer each question wants", 30)
    assert read[4] == ("Training: learning the words of English", 60)
    assert read[5] == ("Training: learning the conversation rules", 70)


def test_commands_run_with_their_output_read_line_by_line(tmp_path: Path) -> None:
    lines: List[str] = []
    log = io.StringIO()
    code = "import sys; print('a', end='\\r'); print('b'); sys.exit(3)"
    assert run_command([sys.executable, "-c", code], log, lines.append, 30) == 3
    assert lines == ["a", "b"]
    with pytest.raises(subprocess.TimeoutExpired):
        slow = "import time\nfor i in range(100): print(i, flush=True); time.sleep(0.1)"
        run_command([sys.executable, "-c", slow], log, lines.append, 0.5)


def test_commands_get_no_secret_of_the_staff_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Training and testing need none; a model's code (a custom component) could read them."""
    for name, value in {
        "STAFF_SECRET_KEY": "k1", "RASA_API_TOKEN": "t1", "RASA_JWT_SECRET": "j1",
        "DATABASE_URL": "postgresql://u:p@db/x", "REDIS_URL": "redis://:p@r/1",
        "ACTION_SERVER_SECRET": "a1", "TELEGRAM_TOKEN": "tg", "CLINIC_CONFIG": "clinic.yml",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    lines: List[str] = []
    code = "import os, json; print(json.dumps(sorted(os.environ)))"
    assert run_command([sys.executable, "-c", code], io.StringIO(), lines.append, 30) == 0
    names = set(json.loads(lines[-1]))
    assert "CLINIC_CONFIG" in names and "PATH" in names
    assert not names & {
        "STAFF_SECRET_KEY", "RASA_API_TOKEN", "RASA_JWT_SECRET", "DATABASE_URL", "REDIS_URL",
        "ACTION_SERVER_SECRET", "TELEGRAM_TOKEN",
    }  # fmt: skip
