"""The language gate component: another language becomes other_language with its code, the
classifier's other_language is checked, and the training examples' words join the
vocabulary."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.language_gate import LanguageGate


@pytest.fixture(scope="module")
def gate() -> Iterator[LanguageGate]:
    """A gate trained on a few English examples (the vocabulary is the dictionary's)."""
    storage = LocalModelStorage(Path(__file__).parent / "unused")  # never written below
    yield LanguageGate(LanguageGate.get_default_config(), storage, Resource("gate"))


def message(text: str, intent: str) -> Message:
    msg = Message(data={"text": text})
    msg.set("intent", {"name": intent, "confidence": 0.9}, add_to_output=True)
    msg.set("intent_ranking", [{"name": intent, "confidence": 0.9}], add_to_output=True)
    msg.set("entities", [], add_to_output=True)
    return msg


def test_another_language_becomes_other_language_with_its_code(gate: LanguageGate) -> None:
    msg = gate.process([message("¿Cuánto cuesta el tratamiento de las cicatrices?", "faq")])[0]

    assert msg.get("intent") == {"name": "other_language", "confidence": 1.0}
    assert msg.get("intent_ranking")[0]["name"] == "other_language"
    assert msg.get("entities") == [
        {"entity": "language", "value": "es", "start": 0, "end": 48, "extractor": "LanguageGate"}
    ]
    assert msg.get("language_gate")["language"] == "es"


def test_english_taken_for_another_language_by_the_classifier_is_asked_again(
    gate: LanguageGate,
) -> None:
    msg = gate.process([message("hola", "other_language")])[0]
    assert msg.get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
    assert msg.get("entities") == []


def test_english_is_left_as_the_classifier_read_it(gate: LanguageGate) -> None:
    msg = gate.process([message("how long does it last", "faq")])[0]
    assert msg.get("intent") == {"name": "faq", "confidence": 0.9}
    assert msg.get("language_gate") is None


def test_button_payloads_are_left_alone(gate: LanguageGate) -> None:
    msg = gate.process([message("/affirm", "affirm")])[0]
    assert msg.get("intent")["name"] == "affirm"


def test_the_training_examples_words_join_the_vocabulary(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("gate")
    context = ExecutionContext(graph_schema=None, node_name="gate")
    examples: List[Dict[str, Any]] = [
        {"text": "wots the dermo's fee", "intent": "faq"},
        {"text": "cuanto cuesta", "intent": "other_language"},
    ]
    data = TrainingData([Message(data=e) for e in examples])
    LanguageGate.create({}, storage, resource, context).train(data)

    loaded = LanguageGate.load({}, storage, resource, context)

    assert "wots" in loaded.rules.english and "dermo's" in loaded.rules.english
    assert "cuesta" not in loaded.rules.english


def unsure(text: str, label: str) -> Message:
    """A message the fallback took, the classifier's own best label kept beside it."""
    msg = message(text, "nlu_fallback")
    msg.set("intent_classifier", {"label": label, "confidence": 0.55}, add_to_output=True)
    return msg


def test_the_classifiers_other_language_with_lingua_sure_is_another_language(
    gate: LanguageGate,
) -> None:
    # German nouns are capitalised and counted as names, leaving "was" and "gegen": the
    # share rule alone says English.
    text = "Was kostet Botox gegen Aknenarben?"
    assert gate.rules.judge(text).language is None
    msg = gate.process([unsure(text, "other_language")])[0]
    assert msg.get("intent")["name"] == "other_language"
    assert msg.get("language_gate")["language"] == "de"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("ciao, thanks!", "other_language"),  # too short for a second opinion
        ("Was kostet Botox gegen Aknenarben?", "faq/cost"),  # the classifier did not say so
    ],
)
def test_no_second_opinion_without_the_classifier_or_enough_words(
    gate: LanguageGate, text: str, label: str
) -> None:
    msg = gate.process([unsure(text, label)])[0]
    assert msg.get("intent")["name"] == "nlu_fallback"
