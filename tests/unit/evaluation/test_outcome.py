"""What the assistant did with a message, read from its conversation's events."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest

from evaluation.outcome import decision, outcome


def events(intent: str, *actions: str, parse: Optional[Dict[str, Any]] = None) -> List[Dict]:
    user = {
        "event": "user",
        "text": "x",
        "parse_data": {"intent": {"name": intent, "confidence": 0.8}, **(parse or {})},
    }
    return [
        {"event": "action", "name": "action_listen"},
        user,
        *({"event": "action", "name": name} for name in actions),
    ]


@pytest.mark.parametrize(
    ("intent", "actions", "kind"),
    [
        (
            "report_emergency_symptom",
            ["utter_emergency_guidance", "action_emergency_guidance"],
            "emergency",
        ),
        ("request_medical_advice", ["utter_refuse_medical_advice"], "refusal"),
        ("not_covered", ["utter_not_covered"], "not_covered"),
        ("other_language", ["utter_other_language"], "other_language"),
        ("out_of_scope", ["utter_out_of_scope"], "off_topic"),
        ("nlu_fallback", ["action_rephrase"], "fallback"),
        ("greet", ["utter_greet"], "other"),
    ],
)
def test_the_kind_of_reply_is_read_from_the_actions(
    intent: str, actions: List[str], kind: str
) -> None:
    found = outcome(events(intent, *actions, "action_listen"))
    assert (found["kind"], found["intent"], found["topic"]) == (kind, intent, "")


def test_an_faq_answer_names_its_topic() -> None:
    selector = {"faq": {"response": {"intent_response_key": "faq/cost"}}}
    found = outcome(events("faq", "utter_faq", parse={"response_selector": selector}))
    assert (found["kind"], found["topic"]) == ("faq", "cost")


def test_only_the_last_message_counts() -> None:
    earlier = events("greet", "utter_greet")
    found = outcome([*earlier, *events("out_of_scope", "utter_out_of_scope")[1:]])
    assert found["kind"] == "off_topic"


def test_a_rule_decides_with_certainty_the_classifier_with_its_confidence() -> None:
    guess = {"label": "faq/pain", "confidence": 0.55, "margin": 0.2}
    assert decision({"intent": {"name": "faq"}, "intent_classifier": guess}) == {
        "label": "faq/pain", "confidence": 0.55, "margin": 0.2,
    }  # fmt: skip
    guarded = {
        "intent": {"name": "request_medical_advice"},
        "intent_classifier": guess,
        "safety_guard": {"rule": "advice:dose"},
    }
    assert decision(guarded) == {
        "label": "request_medical_advice", "confidence": 1.0, "margin": 1.0,
    }  # fmt: skip
    foreign = {"intent": {"name": "other_language"}, "language_gate": {"language": "es"}}
    assert decision(foreign)["label"] == "other_language"
