"""The held-out evaluation's threshold check."""

from __future__ import annotations

import json
from pathlib import Path

from evaluation.nlu_check import main


def write_reports(folder: Path, accuracy: float, emergency_recall: float) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    intents = {
        "accuracy": accuracy,
        "report_emergency_symptom": {"recall": emergency_recall},
        "request_medical_advice": {"recall": 0.97},
    }
    (folder / "intent_report.json").write_text(json.dumps(intents))
    (folder / "response_selection_report.json").write_text(json.dumps({"accuracy": 0.93}))


def test_passes_at_the_thresholds(tmp_path: Path, capsys) -> None:
    write_reports(tmp_path, 0.90, 1.0)
    assert main(["nlu_check.py", str(tmp_path)]) == 0
    assert "all figures at or above their thresholds" in capsys.readouterr().out


def test_one_missed_emergency_fails(tmp_path: Path, capsys) -> None:
    write_reports(tmp_path, 0.95, 0.97)
    assert main(["nlu_check.py", str(tmp_path)]) == 1
    assert "recall of report_emergency_symptom is 0.970, below 1.00" in capsys.readouterr().err
