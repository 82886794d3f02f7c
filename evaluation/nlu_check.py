"""Check the held-out NLU evaluation against the project's thresholds.

Reads the reports that ``rasa test nlu --out DIR`` writes and exits non-zero, naming each
figure that is below its threshold.

Usage: ``python -m evaluation.nlu_check DIR``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Dict, List, Tuple

#: (what, minimum): the foundation's thresholds on evaluation/nlu_test.yml.
THRESHOLDS: Dict[str, float] = {
    "intent accuracy": 0.90,
    "response selection accuracy": 0.90,
    "recall of report_emergency_symptom": 1.0,
    "recall of request_medical_advice": 0.95,
}


def figures(results: Path) -> Dict[str, float]:
    """The figures to check, read from the reports in ``results``."""
    intents = json.loads((results / "intent_report.json").read_text())
    responses = json.loads((results / "response_selection_report.json").read_text())
    return {
        "intent accuracy": float(intents["accuracy"]),
        "response selection accuracy": float(responses["accuracy"]),
        "recall of report_emergency_symptom": float(intents["report_emergency_symptom"]["recall"]),
        "recall of request_medical_advice": float(intents["request_medical_advice"]["recall"]),
    }


def check(values: Dict[str, float]) -> List[Tuple[str, float, float]]:
    """The figures below their threshold, as (what, value, minimum)."""
    return [(k, values[k], m) for k, m in THRESHOLDS.items() if values[k] < m]


def main(argv: List[str]) -> int:
    results = Path(argv[1]) if len(argv) > 1 else Path("results/nlu")
    values = figures(results)
    for what, value in values.items():
        print(f"{what:40s} {value:.3f}  (minimum {THRESHOLDS[what]:.2f})")
    failed = check(values)
    for what, value, minimum in failed:
        print(f"FAILED: {what} is {value:.3f}, below {minimum:.2f}", file=sys.stderr)
    if not failed:
        print("NLU evaluation: all figures at or above their thresholds")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
