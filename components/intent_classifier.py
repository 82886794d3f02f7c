"""The intent and FAQ-topic classifier: one regularised linear model over every label.

Each FAQ topic (``faq/cost``, ``faq/downtime``, ...) is a label of its own beside the other
intents (``out_of_scope``, ``not_covered``, ``request_medical_advice``, ...), so a question
the source text does not answer is weighed against each topic it resembles, not against
"the FAQ" as a whole, and an off-topic message against each of them too. The model is a
multinomial logistic regression (scikit-learn) over:

- the sparse sentence features of the ``CountVectorsFeaturizer``\\ s (words and character
  n-grams), each featuriser's block weighted by inverse document frequency, with
  logarithmic counts and scaled to length 1 (tf-idf);
- the dense sentence features (WordLlama's pretrained embeddings,
  :mod:`components.wordllama_featurizer`), scaled to length 1 times ``dense_weight``.

Measured on held-out messages written apart from the training data, this gave fewer
confident wrong answers to off-topic and not-covered questions than DIET with the same data
(see the figures in docs/how-it-works.md). Its probabilities are what the
``FallbackClassifier`` thresholds are chosen on (``python -m evaluation.calibration``).

Output, as Rasa's own components write it: ``intent`` and ``intent_ranking``, where an FAQ
topic counts for the intent ``faq`` with the probability of all topics together (so a
question split between two close topics is still confidently an FAQ question), and
``response_selector`` for each retrieval intent (its best topic, as ``ResponseSelector``
would), which ``utter_faq`` reads. Its own best labels are kept under ``intent_classifier``.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text, Tuple, Type

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.constants import UTTER_PREFIX
from rasa.shared.nlu.constants import (
    FEATURE_TYPE_SENTENCE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    RESPONSE_IDENTIFIER_DELIMITER,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression

logger = logging.getLogger(__name__)

MODEL_FILE = "classifier.npz"
#: The parse data key of the classifier's own guess.
PARSE_KEY = "intent_classifier"
RESPONSES_FILE = "responses.json"
RANKING_LENGTH = 10


def label_of(message: Message) -> Optional[str]:
    """The label a training example teaches: its FAQ topic, else its intent."""
    return message.get(INTENT_RESPONSE_KEY) or message.get(INTENT)


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


class FeatureScaler:
    """Turns a message's sentence features into one row of the model's input.

    Sparse blocks (one per featuriser, in a fixed order) become log(1 + count) times idf,
    scaled to length 1; dense blocks are scaled to length 1 times ``dense_weight``. A
    featuriser that gave a message nothing contributes zeros.
    """

    def __init__(
        self,
        sparse: List[Tuple[str, int]],
        dense: List[Tuple[str, int]],
        idf: Dict[str, np.ndarray],
        dense_weight: float,
    ) -> None:
        self.sparse, self.dense, self.idf, self.dense_weight = sparse, dense, idf, dense_weight

    @staticmethod
    def blocks(message: Message) -> Tuple[Dict[str, Any], Dict[str, np.ndarray]]:
        """The message's sparse and dense sentence features of its text, by featuriser."""
        sparse: Dict[str, Any] = {}
        dense: Dict[str, np.ndarray] = {}
        for feature in message.features:
            if feature.attribute != TEXT or feature.type != FEATURE_TYPE_SENTENCE:
                continue
            if feature.is_sparse():
                sparse[feature.origin] = feature.features
            else:
                dense[feature.origin] = np.asarray(feature.features).reshape(-1)
        return sparse, dense

    @classmethod
    def fit(cls, messages: List[Message], dense_weight: float) -> FeatureScaler:
        """Block sizes and idf weights from the training examples."""
        sizes: Dict[str, int] = {}
        dense_sizes: Dict[str, int] = {}
        document_frequency: Dict[str, np.ndarray] = {}
        for message in messages:
            sparse, dense = cls.blocks(message)
            for origin, matrix in sparse.items():
                sizes[origin] = matrix.shape[1]
                counts = document_frequency.setdefault(origin, np.zeros(matrix.shape[1]))
                row = matrix.tocsr()
                counts[np.unique(row.indices[row.data > 0])] += 1
            for origin, vector in dense.items():
                dense_sizes[origin] = vector.shape[0]
        n = len(messages)
        idf = {o: np.log((1 + n) / (1 + df)) + 1.0 for o, df in document_frequency.items()}
        return cls(sorted(sizes.items()), sorted(dense_sizes.items()), idf, dense_weight)

    def row(self, message: Message) -> scipy.sparse.csr_matrix:
        """The model input of one message (1 x width)."""
        sparse, dense = self.blocks(message)
        parts: List[Any] = []
        for origin, size in self.sparse:
            block = sparse.get(origin)
            if block is None or block.shape[1] != size:
                parts.append(scipy.sparse.csr_matrix((1, size)))
                continue
            values = block.tocsr().astype(np.float64)
            values.data = np.log1p(np.maximum(values.data, 0)) * self.idf[origin][values.indices]
            norm = float(np.sqrt(np.dot(values.data, values.data)))
            if norm > 0:
                values.data /= norm
            parts.append(values)
        for origin, size in self.dense:
            vector = dense.get(origin)
            if vector is None or vector.shape[0] != size:
                parts.append(scipy.sparse.csr_matrix((1, size)))
                continue
            norm = float(np.linalg.norm(vector))
            scaled = vector / norm * self.dense_weight if norm > 0 else vector
            parts.append(scipy.sparse.csr_matrix(scaled.reshape(1, -1)))
        return scipy.sparse.hstack(parts).tocsr()

    def matrix(self, messages: List[Message]) -> scipy.sparse.csr_matrix:
        """The model input of several messages."""
        return scipy.sparse.vstack([self.row(m) for m in messages]).tocsr()

    def arrays(self) -> Dict[str, np.ndarray]:
        """What :meth:`from_arrays` needs, as plain arrays (saved without pickle)."""
        return {
            "sparse_origins": np.array([o for o, _ in self.sparse], dtype=str),
            "sparse_sizes": np.array([s for _, s in self.sparse], dtype=np.int64),
            "dense_origins": np.array([o for o, _ in self.dense], dtype=str),
            "dense_sizes": np.array([s for _, s in self.dense], dtype=np.int64),
            "dense_weight": np.array(self.dense_weight),
            **{f"idf:{o}": v for o, v in self.idf.items()},
        }

    @classmethod
    def from_arrays(cls, arrays: Any) -> FeatureScaler:
        """The scaler :meth:`arrays` described."""
        origins, sizes = arrays["sparse_origins"], arrays["sparse_sizes"]
        sparse = list(zip(map(str, origins), map(int, sizes), strict=True))
        origins, sizes = arrays["dense_origins"], arrays["dense_sizes"]
        dense = list(zip(map(str, origins), map(int, sizes), strict=True))
        idf = {o: np.asarray(arrays[f"idf:{o}"]) for o, _ in sparse}
        return cls(sparse, dense, idf, float(arrays["dense_weight"]))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentTopicClassifier(GraphComponent, IntentClassifier):
    """Intents and FAQ topics in one logistic regression (see module doc)."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """The featurisers whose sentence features it reads."""
        return [Featurizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """``C``: inverse regularisation strength; ``dense_weight``: the length of the dense
        block beside each sparse block of length 1; ``max_iter``: solver iterations."""
        return {"C": 10.0, "dense_weight": 1.0, "max_iter": 3000}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        scaler: Optional[FeatureScaler] = None,
        labels: Optional[List[str]] = None,
        weights: Optional[np.ndarray] = None,
        bias: Optional[np.ndarray] = None,
        responses: Optional[Dict[str, List[Dict[str, Any]]]] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.scaler = scaler
        self.labels = labels or []
        self.weights = weights
        self.bias = bias
        self.responses = responses or {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentTopicClassifier:
        """An untrained classifier."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the model on every example that has an intent and a text."""
        examples = [e for e in training_data.intent_examples if e.get(TEXT) and label_of(e)]
        if not examples:
            logger.debug("No intent examples: the intent classifier stays untrained.")
            return self._resource
        self.scaler = FeatureScaler.fit(examples, float(self.config["dense_weight"]))
        inputs = self.scaler.matrix(examples)
        model = LogisticRegression(
            C=float(self.config["C"]), max_iter=int(self.config["max_iter"]), random_state=42
        )
        model.fit(inputs, [label_of(e) for e in examples])
        self.labels = [str(label) for label in model.classes_]
        self.weights = np.asarray(model.coef_, dtype=np.float64)
        self.bias = np.asarray(model.intercept_, dtype=np.float64)
        self.responses = dict(training_data.responses)
        self.persist()
        return self._resource

    def probabilities(self, messages: List[Message]) -> np.ndarray:
        """Each message's probability of each label (rows: messages, columns: labels)."""
        if self.scaler is None or self.weights is None or self.bias is None:
            return np.zeros((len(messages), 0))
        inputs = self.scaler.matrix(messages)
        return softmax(np.asarray(inputs @ self.weights.T) + self.bias)

    def process(self, messages: List[Message]) -> List[Message]:
        """Set each message's intent, its ranking and the FAQ topic."""
        if not messages or not self.labels:
            return messages
        for message, row in zip(messages, self.probabilities(messages), strict=True):
            self._set_prediction(message, row)
        return messages

    def _set_prediction(self, message: Message, row: np.ndarray) -> None:
        order = np.argsort(-row)
        # Intents as Rasa knows them: an FAQ topic's probability counts for the intent
        # "faq", whose confidence is that of all its topics together (the topic itself is
        # the response selector's choice below, as with Rasa's ResponseSelector).
        intents: Dict[str, float] = {}
        for i in order:
            name = self.labels[i].split(RESPONSE_IDENTIFIER_DELIMITER)[0]
            intents[name] = intents.get(name, 0.0) + float(row[i])
        ordered = sorted(intents.items(), key=lambda item: -item[1])
        ranking = [
            {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
            for name, confidence in ordered[:RANKING_LENGTH]
        ]
        message.set(INTENT, dict(ranking[0]), add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        selector: Dict[str, Any] = {RESPONSE_SELECTOR_RETRIEVAL_INTENTS: self.retrieval_intents}
        for intent in self.retrieval_intents:
            prefix = intent + RESPONSE_IDENTIFIER_DELIMITER
            topics = [i for i in order if self.labels[i].startswith(prefix)]
            total = float(sum(row[i] for i in topics)) or 1.0
            best = self.labels[topics[0]]
            selector[intent] = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: self.responses.get(UTTER_PREFIX + best, []),
                    PREDICTED_CONFIDENCE_KEY: float(row[topics[0]]) / total,
                    INTENT_RESPONSE_KEY: best,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: UTTER_PREFIX + best,
                },
                RESPONSE_SELECTOR_RANKING_KEY: [
                    {
                        PREDICTED_CONFIDENCE_KEY: float(row[i]) / total,
                        INTENT_RESPONSE_KEY: self.labels[i],
                    }
                    for i in topics[:RANKING_LENGTH]
                ],
            }
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, selector, add_to_output=True)
        # The guess itself, kept whatever the fallback, gate or guard make of it: the
        # answer it points to, the confidence and lead the FallbackClassifier judges, and
        # the best labels (evaluation/calibration.py, the staff app's review).
        top, confidence = ordered[0]
        second = ordered[1][1] if len(ordered) > 1 else 0.0
        message.set(
            PARSE_KEY,
            {
                "label": selector[top][RESPONSE_SELECTOR_PREDICTION_KEY][INTENT_RESPONSE_KEY]
                if top in selector
                else top,
                "confidence": confidence,
                "margin": confidence - second,
                "ranking": [[self.labels[i], round(float(row[i]), 4)] for i in order[:5]],
            },
            add_to_output=True,
        )

    @property
    def retrieval_intents(self) -> List[str]:
        """The retrieval intents among the labels ("faq")."""
        return sorted(
            {
                label.split(RESPONSE_IDENTIFIER_DELIMITER)[0]
                for label in self.labels
                if RESPONSE_IDENTIFIER_DELIMITER in label
            }
        )

    def persist(self) -> None:
        """Save the model as plain arrays and the responses as JSON."""
        if self.scaler is None or self.weights is None or self.bias is None:
            return
        with self._model_storage.write_to(self._resource) as folder:
            np.savez(
                folder / MODEL_FILE,
                labels=np.array(self.labels, dtype=str),
                weights=self.weights,
                bias=self.bias,
                **self.scaler.arrays(),
            )
            (folder / RESPONSES_FILE).write_text(json.dumps(self.responses), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> IntentTopicClassifier:
        """The trained classifier (an untrained one if training saw no examples)."""
        try:
            with model_storage.read_from(resource) as folder:
                with np.load(folder / MODEL_FILE, allow_pickle=False) as arrays:
                    scaler = FeatureScaler.from_arrays(arrays)
                    labels = [str(label) for label in arrays["labels"]]
                    weights, bias = np.asarray(arrays["weights"]), np.asarray(arrays["bias"])
                responses = json.loads((folder / RESPONSES_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.debug("No trained intent classifier in the model: it stays untrained.")
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, scaler, labels, weights, bias, responses)
