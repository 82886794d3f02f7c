"""What the checks' tests share: a good answer and its source, a new topic's examples,
and ways to change the copy of the project (``data_root``, tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import List

from staff.problems import Problem

SOURCE = "The procedure typically lasts about 15 to 30 minutes, and minimal downtime is required."
GOOD_ANSWER = "Minimal downtime is required after the treatment."
NUMBERS = "one two three four five six seven eight nine ten".split()
TEN = [f"question {word} about aftercare" for word in NUMBERS]
NEW_SOURCE = (
    "Once approved, the treatment area will be cleaned, and a topical anesthetic may be "
    "applied for additional comfort."
)
NEW_ANSWER = "The treatment area is cleaned, and a topical anesthetic may be applied for comfort."


def messages(problems: List[Problem]) -> List[str]:
    return [p.message for p in problems]


def blocking(problems: List[Problem]) -> List[str]:
    return [p.message for p in problems if p.blocking]


def append(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(text)


def nlu_file(intent: str, *examples: str) -> str:
    lines = "".join(f"    - {e}\n" for e in examples)
    return f'version: "3.1"\nnlu:\n- intent: {intent}\n  examples: |\n{lines}'
