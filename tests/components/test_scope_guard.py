"""The scope guard: another treatment, another use of Botox or another operation, in this
treatment's words, is off topic; acne scars or this treatment named keep a question in."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language

from components.scope_guard import DEFAULT_FILE, ScopeGuard, ScopeRules
from nlp.build_pipeline import build, load_patterns


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build(load_patterns())


@pytest.fixture(scope="module")
def rules(nlp: Language) -> ScopeRules:
    return ScopeRules(nlp, DEFAULT_FILE)


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("whats the recovery like after a hair transplant", "other_treatments"),
        ("How long after a knee replacement can you drive again?", "other_treatments"),
        ("is botox for sweaty palms painful?", "botox_for_other_uses"),
        ("masseter botox for jaw clenching, is there any downtime", "botox_for_other_uses"),
        ("how much is botox for crows feet", "botox_for_other_uses"),
        ("what cream helps a c-section scar fade", "other_scars"),
    ],
)
def test_another_subject_is_found(
    rules: ScopeRules, nlp: Language, text: str, subject: str
) -> None:
    found = rules.other_subject(nlp(text))
    assert found is not None and found["subject"] == subject


@pytest.mark.parametrize(
    "text",
    [
        "can I have lip filler and botox for my acne scars on the same day?",
        "can i get a spray tan after the treatment",
        "is laser hair removal ok the week after botox",
        "is it the same botox people get for forehead lines?",
        "I suffer from migraines, is headache a side effect of the tox?",
        "how long is the recovery",
    ],
)
def test_acne_scars_or_this_treatment_keep_a_question_in(
    rules: ScopeRules, nlp: Language, text: str
) -> None:
    assert rules.other_subject(nlp(text)) is None


def message(nlp: Language, text: str, intent: str) -> Message:
    msg = Message(data={"text": text})
    msg.set(SPACY_DOCS["text"], nlp(text))
    msg.set("intent", {"name": intent, "confidence": 0.9}, add_to_output=True)
    msg.set("intent_ranking", [{"name": intent, "confidence": 0.9}], add_to_output=True)
    return msg


def run_guard(nlp: Language, msg: Message) -> Message:
    guard = ScopeGuard(ScopeGuard.get_default_config())
    return guard.process([msg], SpacyModel(model=nlp, model_name="test"))[0]


def test_an_faq_answer_to_another_subject_becomes_off_topic(nlp: Language) -> None:
    msg = run_guard(nlp, message(nlp, "how painful is a hair transplant", "faq"))

    assert msg.get("intent") == {"name": "out_of_scope", "confidence": 1.0}
    assert msg.get("intent_ranking")[0]["name"] == "out_of_scope"
    assert msg.get("scope_guard") == {
        "subject": "other_treatments",
        "matched": "hair transplant",
        "classifier_intent": "faq",
    }


@pytest.mark.parametrize("intent", ["book_consultation", "request_medical_advice", "greet"])
def test_other_readings_are_left_alone(nlp: Language, intent: str) -> None:
    msg = run_guard(nlp, message(nlp, "do you do hair transplants", intent))
    assert msg.get("intent")["name"] == intent
    assert msg.get("scope_guard") is None


def test_a_broken_list_is_named(tmp_path: Path, nlp: Language) -> None:
    path = tmp_path / "other_subjects.yml"
    path.write_text("subjects:\n  other: hair transplant\nacne_scars: [scar]\n")
    with pytest.raises(ValueError, match="subjects: other must be a list of phrases"):
        ScopeRules(nlp, path)
