"""The intent and FAQ-topic classifier, trained on a small data set with Rasa's own tokenizer
and featurisers, its output in Rasa's shapes, and its model saved and read back."""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.intent_classifier import FeatureScaler, IntentTopicClassifier, softmax

EXAMPLES: List[Tuple[str, str, str]] = [
    (text, intent, key)
    for intent, key, texts in [
        (
            "faq",
            "faq/cost",
            [
                "how much does it cost",
                "what is the price",
                "is it expensive",
                "price please",
                "how much do I pay",
            ],
        ),
        (
            "faq",
            "faq/pain",
            [
                "does it hurt",
                "is it painful",
                "will I feel pain",
                "how sore is it",
                "does the needle hurt",
            ],
        ),
        ("greet", "", ["hello", "hi there", "good morning", "hey", "hiya"]),
        (
            "out_of_scope",
            "",
            [
                "what is the weather",
                "tell me a joke",
                "who won the match",
                "recipe for cake",
                "fix my laptop",
            ],
        ),
    ]
    for text in texts
]


def context(name: str) -> ExecutionContext:
    return ExecutionContext(graph_schema=None, node_name=name)


class Pipeline:
    """Tokenizer, two count-vector featurisers (words, characters) and the classifier."""

    def __init__(self, folder: Path) -> None:
        self.storage = LocalModelStorage(folder)
        self.tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
        self.featurizers = [
            CountVectorsFeaturizer.create(
                {**CountVectorsFeaturizer.get_default_config(), **config},
                self.storage,
                Resource(name),
                context(name),
            )
            for name, config in [
                ("words", {}),
                ("chars", {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4}),
            ]
        ]
        self.resource = Resource("classifier")

    def featurise(self, messages: List[Message]) -> List[Message]:
        self.tokenizer.process(messages)
        for featurizer in self.featurizers:
            featurizer.process(messages)
        return messages

    def train(self) -> IntentTopicClassifier:
        data = TrainingData(
            [
                Message(data={"text": t, "intent": i, **({"intent_response_key": k} if k else {})})
                for t, i, k in EXAMPLES
            ],
            responses={
                "utter_faq/cost": [{"text": "It depends on the plan."}],
                "utter_faq/pain": [{"text": "A small pinch."}],
            },
        )
        self.tokenizer.process_training_data(data)
        for featurizer in self.featurizers:
            featurizer.train(data)
            featurizer.process_training_data(data)
        classifier = IntentTopicClassifier.create(
            {**IntentTopicClassifier.get_default_config(), "C": 10.0},
            self.storage,
            self.resource,
            context("classifier"),
        )
        classifier.train(data)
        return classifier


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    return Pipeline(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="module")
def classifier(pipeline: Pipeline) -> IntentTopicClassifier:
    return pipeline.train()


def parse(pipeline: Pipeline, classifier: IntentTopicClassifier, text: str) -> Message:
    message = pipeline.featurise([Message(data={"text": text})])[0]
    return classifier.process([message])[0]


def test_each_faq_topic_is_a_label_of_its_own(classifier: IntentTopicClassifier) -> None:
    assert classifier.labels == ["faq/cost", "faq/pain", "greet", "out_of_scope"]
    assert classifier.retrieval_intents == ["faq"]


def test_an_faq_question_is_the_intent_faq_with_its_topic_selected(
    pipeline: Pipeline, classifier: IntentTopicClassifier
) -> None:
    message = parse(pipeline, classifier, "how much is the price")

    intent = message.get("intent")
    assert intent["name"] == "faq"
    ranking = message.get("intent_ranking")
    assert [r["name"] for r in ranking] == sorted(
        ["faq", "greet", "out_of_scope"],
        key=lambda n: -next(r["confidence"] for r in ranking if r["name"] == n),
    )
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    selector = message.get("response_selector")
    assert selector["all_retrieval_intents"] == ["faq"]
    response = selector["faq"]["response"]
    assert response["intent_response_key"] == "faq/cost"
    assert response["utter_action"] == "utter_faq/cost"
    assert response["responses"] == [{"text": "It depends on the plan."}]
    assert [r["intent_response_key"] for r in selector["faq"]["ranking"]] == [
        "faq/cost", "faq/pain",
    ]  # fmt: skip
    guess = message.get("intent_classifier")
    assert guess["label"] == "faq/cost"
    assert guess["confidence"] == pytest.approx(intent["confidence"])
    assert guess["margin"] == pytest.approx(ranking[0]["confidence"] - ranking[1]["confidence"])


def test_the_intents_confidence_is_that_of_all_its_topics(
    pipeline: Pipeline, classifier: IntentTopicClassifier
) -> None:
    message = parse(pipeline, classifier, "does it hurt")
    flat = dict(message.get("intent_classifier")["ranking"])
    faq = next(r for r in message.get("intent_ranking") if r["name"] == "faq")
    assert faq["confidence"] == pytest.approx(flat["faq/cost"] + flat["faq/pain"], abs=1e-3)


def test_other_intents_are_answered_as_themselves(
    pipeline: Pipeline, classifier: IntentTopicClassifier
) -> None:
    assert parse(pipeline, classifier, "hello there").get("intent")["name"] == "greet"
    assert parse(pipeline, classifier, "tell me the weather").get("intent")["name"] == (
        "out_of_scope"
    )


def test_the_saved_model_answers_as_the_trained_one(
    pipeline: Pipeline, classifier: IntentTopicClassifier
) -> None:
    loaded = IntentTopicClassifier.load(
        {}, pipeline.storage, pipeline.resource, context("classifier")
    )
    text = "is it painful"
    before = parse(pipeline, classifier, text)
    after = parse(pipeline, loaded, text)
    assert after.get("intent") == before.get("intent")
    assert after.get("response_selector") == before.get("response_selector")


def test_a_model_trained_on_nothing_leaves_messages_alone(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    classifier = IntentTopicClassifier.create({}, storage, Resource("c"), context("c"))
    classifier.train(TrainingData([]))
    message = classifier.process([Message(data={"text": "hello"})])[0]
    assert message.get("intent") is None
    loaded = IntentTopicClassifier.load({}, storage, Resource("c"), context("c"))
    assert loaded.labels == []


def test_sparse_blocks_are_tf_idf_of_unit_length_and_dense_ones_weighted() -> None:
    def message(counts: List[float], dense: List[float]) -> Message:
        msg = Message(data={"text": "x"})
        msg.add_features(Features(scipy.sparse.coo_matrix([counts]), "sentence", "text", "words"))
        msg.add_features(Features(np.array([dense]), "sentence", "text", "embedding"))
        return msg

    training = [message([1, 0, 2], [3, 4]), message([0, 1, 1], [1, 0])]
    scaler = FeatureScaler.fit(training, dense_weight=0.5)
    row = scaler.row(message([2, 0, 1], [3, 4])).toarray()[0]

    sparse, dense = row[:3], row[3:]
    assert np.linalg.norm(sparse) == pytest.approx(1.0)
    idf = np.log(3 / np.array([2, 2, 3])) + 1
    expected = np.log1p([2, 0, 1]) * idf
    assert sparse == pytest.approx(expected / np.linalg.norm(expected))
    assert dense == pytest.approx([0.3, 0.4])
    # Saved as plain arrays and read back, the scaler is the same.
    again = FeatureScaler.from_arrays(scaler.arrays())
    assert again.row(message([2, 0, 1], [3, 4])).toarray()[0] == pytest.approx(row)


def test_softmax_rows_sum_to_one() -> None:
    probabilities = softmax(np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 0.0]]))
    assert probabilities.sum(axis=1) == pytest.approx([1.0, 1.0])
    assert probabilities[1, :2] == pytest.approx([0.5, 0.5])
