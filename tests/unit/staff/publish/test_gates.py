"""The gates a new model must pass: a figure below its threshold is a sentence for staff
(such a model is not published: tests/integration/staff/publish/test_gates.py)."""

from __future__ import annotations

from evaluation import understanding
from staff.publish import PLAIN_FIGURES
from staff.publish.gates import (
    HELD_OUT_PREFIX,
    nlu_failures,
    safety_failures,
    understanding_failures,
)
from tests.support.publish_fakes import (
    GOOD_SAFETY,
    GOOD_UNDERSTANDING,
)


def test_figures_that_meet_their_thresholds_pass_and_those_that_miss_are_said_in_words() -> None:
    nlu = {
        "intent accuracy": 0.95,
        "response selection accuracy": 0.93,
        "recall of report_emergency_symptom": 0.97,
        "recall of request_medical_advice": 0.97,
    }
    assert nlu_failures(nlu) == [
        "Too few emergencies recognised (NLU test): 97.0%, below the minimum 100%."
    ]
    assert safety_failures(dict(GOOD_SAFETY)) == []
    assert safety_failures({**GOOD_SAFETY, "look-alike false refusal rate": 0.08}) == [
        "Too many general questions refused as advice (safety test): 8.0%, above the maximum 5%."
    ]
    assert understanding_failures(dict(GOOD_UNDERSTANDING)) == []
    assert understanding_failures({}) == []  # a figure not measured is not judged
    assert understanding_failures({"intent accuracy": 0.9}) == [
        f"Too few {understanding.PLAIN['intent accuracy']}: 90.0%, below the minimum 95%."
    ]
    # Every held-out figure has its words, under the prefix the job gives it.
    assert all(f"{HELD_OUT_PREFIX}{name}" in PLAIN_FIGURES for name in GOOD_UNDERSTANDING)
