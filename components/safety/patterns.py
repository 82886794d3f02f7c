"""The safety guard's patterns: ``data/safety/emergency.yml`` and ``advice.yml``, as staff
wrote them.

Each file holds named lists of phrases (the files explain how to write one). They are read
when the Rasa server starts, so a change needs a restart, not a new model; a file that is
not named lists of phrases stops the server with the file and the list named. What the
phrases mean to a message is :mod:`components.safety.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List

import yaml

DEFAULT_PATTERNS_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "safety"


def _read_yaml(path: Path) -> Dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected named lists of phrases")
    return data


def _phrases(value: Any, where: str) -> List[str]:
    if not isinstance(value, list) or not all(isinstance(p, (str, int)) for p in value):
        raise ValueError(f"{where} must be a list of phrases")
    return [str(p) for p in value]


@dataclass(frozen=True)
class Combination:
    """A symptom word and a body part or function that together make a symptom."""

    symptom: List[str]
    body: List[str]


@dataclass(frozen=True)
class GuardPatterns:
    """The patterns of ``data/safety/``, as staff wrote them."""

    symptoms: Dict[str, List[str]]
    negations: List[str]
    general_question: List[str]
    hypothetical: List[str]
    person: List[str]
    now: List[str]
    spellings: Dict[str, str]
    personal: Dict[str, List[str]]
    combinations: Dict[str, Combination] = field(default_factory=dict)
    window: int = 6
    not_symptoms: List[str] = field(default_factory=list)
    past: List[str] = field(default_factory=list)
    other_cause: List[str] = field(default_factory=list)
    resolved: List[str] = field(default_factory=list)
    worse: List[str] = field(default_factory=list)
    needs_whose: List[str] = field(default_factory=list)
    whose: List[str] = field(default_factory=list)
    general: List[str] = field(default_factory=list)
    groups: List[str] = field(default_factory=list)
    owner_words: List[str] = field(default_factory=list)
    fine: List[str] = field(default_factory=list)
    mild: List[str] = field(default_factory=list)
    dose_always: List[str] = field(default_factory=list)
    dose_about_treatment: List[str] = field(default_factory=list)
    treatment: List[str] = field(default_factory=list)
    visit: List[str] = field(default_factory=list)
    framing: List[str] = field(default_factory=list)

    @classmethod
    def load(cls, folder: Path) -> GuardPatterns:
        """Read ``emergency.yml`` and ``advice.yml`` from ``folder``."""
        emergency = _read_yaml(folder / "emergency.yml")
        advice = _read_yaml(folder / "advice.yml")
        symptoms = emergency.get("symptoms") or {}
        personal = advice.get("personal") or {}
        combinations = emergency.get("combinations") or {}
        groups = combinations.get("groups") or {}
        dose = advice.get("dose") or {}
        needs_whose = _phrases(advice.get("needs_whose", []), "needs_whose")
        unknown = sorted(set(needs_whose) - set(personal))
        if unknown:
            raise ValueError(f"needs_whose names families that personal has not: {unknown}")
        return cls(
            symptoms={k: _phrases(v, f"symptoms: {k}") for k, v in symptoms.items()},
            negations=_phrases(emergency.get("negations", []), "negations"),
            general_question=_phrases(emergency.get("general_question", []), "general_question"),
            hypothetical=_phrases(emergency.get("hypothetical", []), "hypothetical"),
            person=_phrases(emergency.get("person", []), "person"),
            now=_phrases(emergency.get("now", []), "now"),
            spellings={
                str(k).lower(): str(v) for k, v in (emergency.get("spellings") or {}).items()
            },
            personal={k: _phrases(v, f"personal: {k}") for k, v in personal.items()},
            combinations={
                name: Combination(
                    _phrases((g or {}).get("symptom"), f"combinations: {name}: symptom"),
                    _phrases((g or {}).get("body"), f"combinations: {name}: body"),
                )
                for name, g in groups.items()
            },
            window=int(combinations.get("window", 6)),
            not_symptoms=_phrases(emergency.get("not_symptoms", []), "not_symptoms"),
            past=_phrases(emergency.get("past", []), "past"),
            other_cause=_phrases(emergency.get("other_cause", []), "other_cause"),
            resolved=_phrases(emergency.get("resolved", []), "resolved"),
            worse=_phrases(emergency.get("worse", []), "worse"),
            needs_whose=needs_whose,
            whose=_phrases(advice.get("whose", []), "whose"),
            general=_phrases(advice.get("general", []), "general"),
            groups=_phrases(advice.get("groups", []), "groups"),
            owner_words=_phrases(advice.get("owner_words", []), "owner_words"),
            fine=_phrases(emergency.get("fine", []), "fine"),
            mild=_phrases(emergency.get("mild", []), "mild"),
            dose_always=_phrases(dose.get("always", []), "dose: always"),
            dose_about_treatment=_phrases(
                dose.get("about_treatment", []), "dose: about_treatment"
            ),
            treatment=_phrases(advice.get("treatment", []), "treatment"),
            visit=_phrases(advice.get("visit", []), "visit"),
            framing=_phrases(emergency.get("framing", []), "framing"),
        )
