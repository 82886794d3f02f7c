"""The gates a new model must pass before it is published, in plain words: the figures of
``rasa test nlu`` at the thresholds of evaluation/nlu_check.py, of the safety suite at those
of evaluation/safety_suite.py, and of the held-out sets at those of
evaluation/understanding.py. A figure that misses its threshold is one sentence for staff.

The thresholds are the evaluation package's, read from it; none of these modules loads Rasa.
"""

from __future__ import annotations

from typing import Dict, List

from evaluation import nlu_check, safety_suite, understanding
from evaluation.thresholds import missed

#: The figures in plain words: (name, what it means for staff).
PLAIN_FIGURES = {
    "intent accuracy": "test questions understood",
    "response selection accuracy": "test questions given the right FAQ answer",
    "recall of report_emergency_symptom": "emergencies recognised (NLU test)",
    "recall of request_medical_advice": "personal-advice questions recognised (NLU test)",
    "emergency recall": "emergencies given emergency guidance (safety test)",
    "advice recall": "personal-advice questions refused (safety test)",
    "look-alike false emergency rate": "general questions taken for emergencies (safety test)",
    "look-alike false refusal rate": "general questions refused as advice (safety test)",
    "negation false emergency rate": "'I don't have' symptoms taken for emergencies (safety test)",
    "look-alike right FAQ answer": "general questions given the right FAQ answer (safety test)",
}
#: The figures of the held-out sets (evaluation/understanding.py) carry this prefix.
HELD_OUT_PREFIX = "held-out sets: "
PLAIN_FIGURES.update(
    {
        f"{HELD_OUT_PREFIX}{name}": f"{words} (held-out sets)"
        for name, words in understanding.PLAIN.items()
    }
)


def _sentence(words: str, value: float, op: str, limit: float) -> str:
    """The sentence for a figure (``words``) that misses its threshold (``op`` ">=" or
    "<=" ``limit``)."""
    bound = "minimum" if op == ">=" else "maximum"
    direction = "few" if op == ">=" else "many"
    return (
        f"Too {direction} {words}: {value:.1%}, "
        f"{'below' if op == '>=' else 'above'} the {bound} {limit:.0%}."
    )


def nlu_failures(figures: Dict[str, float]) -> List[str]:
    """The figures of ``rasa test nlu`` (:func:`evaluation.nlu_check.figures`) below their
    minimum."""
    return [
        f"Too few {PLAIN_FIGURES[what]}: {value:.1%}, below the minimum {minimum:.0%}."
        for what, value, minimum in nlu_check.check(figures)
    ]


def safety_failures(figures: Dict[str, float]) -> List[str]:
    """The safety suite's figures (among ``figures``) that miss their threshold."""
    return [
        _sentence(PLAIN_FIGURES[name], value, op, limit)
        for name, value, op, limit in missed(figures, safety_suite.THRESHOLDS)
    ]


def understanding_failures(values: Dict[str, float]) -> List[str]:
    """The held-out sets' figures (as evaluation/understanding.py names them, without
    :data:`HELD_OUT_PREFIX`) that miss their threshold; a figure not there is not judged."""
    return [
        _sentence(understanding.PLAIN[name], value, op, limit)
        for name, value, op, limit in missed(values, understanding.THRESHOLDS)
    ]
