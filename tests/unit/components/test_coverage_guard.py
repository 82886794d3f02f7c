"""The coverage guard: an FAQ answer to a question about a subject of data/scope/not_covered.yml,
or an unsure one to a question with a word none of the answered intents' examples or the
source text use, becomes ``not_covered``; sure answers, other intents, names and typos are
left alone."""

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

from components.coverage_guard import (
    DEFAULT_FILE,
    CoverageGuard,
    asked_parts,
    named_subject,
    read_subjects,
)
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


def message(
    nlp: Language, text: str, intent: str, confidence: float, label: str = "faq/procedure"
) -> Message:
    msg = Message(data={"text": text})
    msg.set(SPACY_DOCS["text"], nlp(text))
    msg.set("intent", {"name": intent, "confidence": confidence}, add_to_output=True)
    msg.set("intent_ranking", [{"name": intent, "confidence": confidence}], add_to_output=True)
    msg.set(
        "response_selector",
        {"faq": {"response": {"intent_response_key": "faq/results_duration"}}},
        add_to_output=True,
    )
    msg.set("intent_classifier", {"label": label, "confidence": confidence}, add_to_output=True)
    return msg


def run(guard: CoverageGuard, nlp: Language, msg: Message) -> Message:
    return guard.process([msg], SpacyModel(model=nlp, model_name="test"))[0]


def test_an_unsure_answer_to_a_question_with_an_unfamiliar_word_is_not_covered(
    guard: CoverageGuard, nlp: Language
) -> None:
    msg = run(guard, nlp, message(nlp, "how long is an opened tube usable", "faq", 0.55))

    assert msg.get("intent") == {"name": "not_covered", "confidence": 1.0}
    assert [r["name"] for r in msg.get("intent_ranking")] == ["not_covered", "faq"]
    assert msg.get("coverage_guard") == {
        "subject": "unfamiliar_words",
        "matched": "opened, tube, usable",
        "classifier_intent": "faq",
        "topic": "faq/results_duration",
        "confidence": 0.55,
    }


def test_words_of_questions_the_assistant_does_not_answer_stay_unfamiliar(
    guard: CoverageGuard, nlp: Language
) -> None:
    # "company" is in a not_covered example, "capital" in an off-topic one: neither is
    # the answers' word.
    msg = run(guard, nlp, message(nlp, "is the company in the capital", "faq", 0.6))
    assert msg.get("intent")["name"] == "not_covered"
    assert msg.get("coverage_guard")["matched"] == "company, capital"


@pytest.mark.parametrize(
    ("text", "intent", "confidence"),
    [
        ("how long is an opened tube usable", "faq", 0.7),  # sure enough: at the limit
        ("how long is an opened tube usable", "faq", 0.95),
        ("how long do results last, does it bruise", "faq", 0.5),  # all familiar
        ("how lnog do teh resluts last", "faq", 0.5),  # typos are no dictionary words
        ("does it hurt? Rotterdam here", "faq", 0.5),  # a name is not the question
        ("how long is an opened tube usable", "book_consultation", 0.5),  # not an answer
        ("how long is an opened tube usable", "nlu_fallback", 0.5),  # no rule of the list
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
    msgs: List[Message] = [message(nlp, "how long is an opened tube usable", "faq", 0.5)]
    assert guard.process(msgs, SpacyModel(model=nlp, model_name="test"))[0].get("intent") == {
        "name": "faq",
        "confidence": 0.5,
    }


@pytest.mark.parametrize(
    ("text", "subject", "matched"),
    [
        (
            "How many sessions does it usually take in total?",
            "number_of_sessions",
            "How many sessions",
        ),
        ("who actually makes botox? what company is it", "makers_and_brands", "what company"),
        ("is it the same as Dysport", "makers_and_brands", "Dysport"),
        ("is botox FDA approved for acne scars?", "approval_and_regulation", "FDA"),
        ("is it cheaper than fillers", "comparisons", "cheaper than"),
        ("is botox safer than laser resurfacing", "comparisons", "safer than"),
        ("how long is an opened vial good for", "storage", "vial"),
        ("can you drink alcohol the night after", "aftercare_not_in_the_source", "drink alcohol"),
        (
            "when did doctors first start using it on scars",
            "history_and_popularity",
            "first start",
        ),
        ("does it fade the red marks acne leaves", "other_skin_concerns", "red marks"),
        ("does it make pores look smaller", "other_skin_concerns", "pores"),
        ("does it do anything for active acne", "other_skin_concerns", "for active acne"),
        ("do men and women get different results", "men_and_women", "men and women"),
        ("do results get better with each session", "repeated_treatment", "better with each"),
        ("do the scars come back worse", "repeated_treatment", "come back worse"),
        (
            "can it be done on the same day as the consultation",
            "consultation_timing",
            "same day as the consultation",
        ),
        ("is there a cancellation fee", "payments_and_policies", "cancellation"),
        ("which numbing cream do they use", "numbing_cream_details", "which numbing"),
        ("can a friend come in with me", "visit_practicalities", "friend come"),
        ("what else is in the injection", "preparation", "what else is in"),
        ("can the effect be reversed", "reversal", "reversed"),
    ],
)
def test_the_list_names_subjects_the_source_does_not_cover(
    nlp: Language, text: str, subject: str, matched: str
) -> None:
    found = named_subject(read_subjects(nlp, DEFAULT_FILE), nlp(text))
    assert found == {"subject": subject, "matched": matched}


@pytest.mark.parametrize(
    "text",
    [
        "how long does a session take",  # procedure_duration
        "who makes the decision whether I am suitable",  # candidacy
        "how often do you need to go back for more",  # results_duration, in part
        "can I go to the gym the next day",  # downtime, in part
        "does insurance cover it",  # cost, in part
        "is it safe for someone with a history of seizures",  # a medical history
        "is filler better than botox for acne scars",  # dermal_fillers
        "how does the pain compare with getting a tattoo",  # pain
        "Roughly what would a course of sessions cost?",  # cost
        "can people who still get active acne have it",  # candidacy
        "why do raised scars form after a bad breakout",  # hypertrophic_scars
        "can it be combined with laser",  # combination_treatments
        "does it stop working after a few months",  # results_duration
        "is a numbing cream used",  # procedure
    ],
)
def test_the_topics_own_questions_name_no_subject_of_the_list(nlp: Language, text: str) -> None:
    assert named_subject(read_subjects(nlp, DEFAULT_FILE), nlp(text)) is None


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        # A statement beside a real question is context: only the question counts.
        (
            "How does Botox work on muscles? I only know it from celebrity gossip.",
            "How does Botox work on muscles?",
        ),
        ("how long until I see results? im flying after", "how long until I see results?"),
        ("I read it's FDA approved.\nhow long does it last", "how long does it last"),
        # A short question asks about what came before it: all of it counts.
        ("I heard it's FDA approved. Is that true?", "I heard it's FDA approved. Is that true?"),
        # Only questions, or only statements: all of it.
        ("who makes botox? what company is it", "who makes botox? what company is it"),
        ("tell me about the brands you use", "tell me about the brands you use"),
    ],
)
def test_only_what_a_message_asks_counts_when_it_has_questions_and_statements(
    nlp: Language, text: str, asked: str
) -> None:
    doc = nlp(text)
    assert " ".join(doc[start:end].text for start, end in asked_parts(doc)) == asked


def test_a_listed_subject_named_only_beside_the_question_leaves_the_answer(
    guard: CoverageGuard, nlp: Language
) -> None:
    text = "How does Botox work on muscles? I only know it from celebrity gossip."
    msg = run(guard, nlp, message(nlp, text, "faq", 0.98))

    assert msg.get("intent") == {"name": "faq", "confidence": 0.98}
    assert msg.get("coverage_guard") is None
    asked = "what company makes it? I only know it from celebrity gossip."
    assert run(guard, nlp, message(nlp, asked, "faq", 0.98)).get("intent")["name"] == "not_covered"


def test_a_question_about_a_listed_subject_is_not_covered_however_sure_the_classifier(
    guard: CoverageGuard, nlp: Language
) -> None:
    msg = run(guard, nlp, message(nlp, "how many sessions does it take", "faq", 0.97))

    assert msg.get("intent") == {"name": "not_covered", "confidence": 1.0}
    assert msg.get("coverage_guard") == {
        "subject": "number_of_sessions",
        "matched": "how many sessions",
        "classifier_intent": "faq",
        "topic": "faq/results_duration",
        "confidence": 0.97,
    }


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("faq/procedure_duration", "not_covered"),
        ("not_covered", "not_covered"),
        ("out_of_scope", "nlu_fallback"),  # unsure between off topic and nothing: rephrase
    ],
)
def test_an_unsure_reading_of_a_listed_subject_is_not_covered_when_it_was_about_the_topics(
    guard: CoverageGuard, nlp: Language, label: str, expected: str
) -> None:
    msg = message(nlp, "how many sessions do people need", "nlu_fallback", 0.4, label)
    assert run(guard, nlp, msg).get("intent")["name"] == expected


def test_a_broken_list_is_named(tmp_path: Path, nlp: Language) -> None:
    path = tmp_path / "not_covered.yml"
    path.write_text("subjects:\n  brands: dysport\n")
    with pytest.raises(ValueError, match="subjects: brands must be a list of phrases"):
        read_subjects(nlp, path)
