"""The coverage guard: an unsure FAQ answer to a question with a word none of the answered
intents' examples or the source text use becomes ``not_covered``; sure answers, other
intents, names and typos are left alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.language import Language

from components.coverage_guard import CoverageGuard
from nlp.build_pipeline import build, load_patterns

SOURCE = "Botox relaxes muscles. Results can last from three to six months. It may bruise."
#: Training examples: the answered intents' words are familiar, the others' are not.
EXAMPLES = [
    ("how long do the results last", "faq"),
    ("is there any pain relief, does it hurt", "faq"),
    ("can I book a consultation", "book_consultation"),
    ("who makes botox, which company", "not_covered"),
    ("what is the capital of france", "out_of_scope"),
]


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build(load_patterns())


@pytest.fixture()
def guard(tmp_path: Path, nlp: Language) -> CoverageGuard:
    """A guard trained on EXAMPLES and SOURCE in a real model storage, then loaded."""
    storage = LocalModelStorage(tmp_path)
    resource = Resource("coverage")
    context = ExecutionContext(graph_schema=None, node_name="coverage")
    source = tmp_path / "source.txt"
    source.write_text(SOURCE, encoding="utf-8")
    config = {"source_file": str(source)}
    examples = [Message(data={"text": t, "intent": i}) for t, i in EXAMPLES]
    trained = CoverageGuard.create(config, storage, resource, context)
    trained.train(TrainingData(examples), SpacyModel(model=nlp, model_name="test"))
    return CoverageGuard.load(config, storage, resource, context)


def message(nlp: Language, text: str, intent: str, confidence: float) -> Message:
    msg = Message(data={"text": text})
    msg.set(SPACY_DOCS["text"], nlp(text))
    msg.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    msg.set("intent_ranking", [{"name": intent, "confidence": confidence}], add_to_output=True)
    msg.set(
        "response_selector",
        {"faq": {"response": {"intent_response_key": "faq/results_duration"}}},
        add_to_output=True,
    )
    return msg


def run(guard: CoverageGuard, nlp: Language, msg: Message) -> Message:
    return guard.process([msg], SpacyModel(model=nlp, model_name="test"))[0]


def test_an_unsure_answer_to_a_question_with_an_unfamiliar_word_is_not_covered(
    guard: CoverageGuard, nlp: Language
) -> None:
    msg = run(guard, nlp, message(nlp, "how long is an opened vial usable", "faq", 0.55))

    assert msg.get("intent") == {"name": "not_covered", "confidence": 1.0}
    assert [r["name"] for r in msg.get("intent_ranking")] == ["not_covered", "faq"]
    assert msg.get("coverage_guard") == {
        "matched": "opened, vial, usable",
        "topic": "faq/results_duration",
        "confidence": 0.55,
    }


def test_words_of_questions_the_assistant_does_not_answer_stay_unfamiliar(
    guard: CoverageGuard, nlp: Language
) -> None:
    # "company" is in a not_covered example, "capital" in an off-topic one: neither is
    # the answers' word.
    msg = run(guard, nlp, message(nlp, "what company is the capital behind it", "faq", 0.6))
    assert msg.get("intent")["name"] == "not_covered"
    assert msg.get("coverage_guard")["matched"] == "company, capital"


@pytest.mark.parametrize(
    ("text", "intent", "confidence"),
    [
        ("how long is an opened vial usable", "faq", 0.7),  # sure enough: at the limit
        ("how long is an opened vial usable", "faq", 0.95),
        ("how long do results last, does it bruise", "faq", 0.5),  # all familiar
        ("how lnog do teh resluts last", "faq", 0.5),  # typos are no dictionary words
        ("does it hurt? Rotterdam here", "faq", 0.5),  # a name is not the question
        ("how long is an opened vial usable", "book_consultation", 0.5),  # not an answer
        ("how long is an opened vial usable", "nlu_fallback", 0.5),
        ("/faq", "faq", 0.5),  # a button's payload
    ],
)
def test_sure_answers_familiar_words_names_and_other_intents_are_left_alone(
    guard: CoverageGuard, nlp: Language, text: str, intent: str, confidence: float
) -> None:
    msg = run(guard, nlp, message(nlp, text, intent, confidence))
    assert msg.get("intent") == {"name": intent, "confidence": confidence}
    assert msg.get("coverage_guard") is None


def test_the_answers_words_are_learnt_from_the_answered_examples_and_the_source(
    guard: CoverageGuard,
) -> None:
    assert guard.known is not None
    for word in ("relief", "consultation", "relax", "muscle", "month", "bruise"):
        assert word in guard.known
    for word in ("company", "capital", "france"):
        assert word not in guard.known


@pytest.mark.parametrize("config", [{}, {"min_unfamiliar_words": 0}])
def test_an_untrained_or_switched_off_guard_changes_nothing(
    nlp: Language, config: Dict[str, Any]
) -> None:
    guard = CoverageGuard({**config}, known=None if not config else frozenset({"long"}))
    msgs: List[Message] = [message(nlp, "how long is an opened vial usable", "faq", 0.5)]
    assert guard.process(msgs, SpacyModel(model=nlp, model_name="test"))[0].get("intent") == {
        "name": "faq",
        "confidence": 0.5,
    }
