"""The coverage guard: a question about something none of the topics mention is not covered.

The classifier gives every question about this treatment the topic it resembles most. A
question the source text does not answer ("who makes Botox, what company is it?", "is it kept
in a fridge?", "who regulates these clinics?") resembles one of them in its other words, and
gets that topic's answer, an answer to a question the visitor did not ask, when its
confidence clears the fallback threshold. Such questions have a mark: a word that neither
the source text nor any training example of the assistant's answers uses ("company",
"fridge", "regulates"), where the topics' own questions, even in new wording, mostly use
words the topics have met.

So the guard reads each message the classifier answered as an FAQ question with a
confidence below ``max_confidence``: with at least ``min_unfamiliar_words`` unfamiliar words
(components/topic_words.py: dictionary words, not typos; names of people and places left
out), it sets the intent ``not_covered`` (the assistant says its information does not cover
that and gives the clinic's number), and the message appears on the staff app's unanswered
questions, where staff can teach the topic the new word if it was the topic's question after
all. An answer the classifier is sure of is left as it is: a question in the topic's words
with one new word in it ("is there some kind of pain relief?") is still the topic's.

The words are learnt at training from the source text and the examples of every intent but
``not_covered``, ``out_of_scope`` and ``other_language`` (the words of questions the
assistant does not answer are not its own), and kept in the model. The two settings were
chosen on the project's held-out sets and report batches (README, "Understanding"). What the
guard did is in the parse data under ``coverage_guard``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    SPACY_DOCS,
)
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components import topic_words
from components.intents import override_intent
from components.word_list import load_words, save_words
from nlp.words import Vocabulary

ROOT = Path(__file__).resolve().parent.parent
#: The approved source text, whose words the answers speak.
SOURCE_FILE = ROOT / "docs" / "source" / "botox-for-acne-scars.txt"
NOT_COVERED = "not_covered"
#: The intents whose examples are questions the assistant does not answer.
NOT_ANSWERED = {NOT_COVERED, "out_of_scope", "other_language"}
#: The intent whose answers the guard checks.
FAQ = "faq"
WORDS_FILE = "answered_words.txt"
PARSE_KEY = "coverage_guard"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True, model_from="SpacyNLP"
)
class CoverageGuard(GraphComponent, IntentClassifier):
    """An unsure FAQ answer to a question with an unfamiliar word becomes ``not_covered``
    (module doc)."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """None: it reads spaCy's parse. It stands after the classifier and the fallback in
        config.yml, whose decision it checks."""
        return []

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """``source_file``: the source text, whose words are familiar (default
        docs/source/...); ``max_confidence``: FAQ answers at or above it are left alone;
        ``min_unfamiliar_words``: how many unfamiliar words make a question not covered (0
        turns the guard off)."""
        return {"source_file": None, "max_confidence": 0.7, "min_unfamiliar_words": 1}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        known: Optional[FrozenSet[str]] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        source = self.config.get("source_file")
        self.source = Path(source) if source else SOURCE_FILE
        self.max_confidence = float(self.config["max_confidence"])
        self.min_unfamiliar = int(self.config["min_unfamiliar_words"])
        self._model_storage = model_storage
        self._resource = resource
        self.known = Vocabulary(known) if known is not None else None

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CoverageGuard:
        """A guard that changes nothing until it has learnt the answers' words."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData, model: SpacyModel) -> Resource:
        """Learn the words of the assistant's answers: the source text and the examples of
        every intent it answers."""
        known = topic_words.learn(training_data, model.model, self.source, NOT_ANSWERED)
        if self._model_storage is None or self._resource is None:
            raise ValueError("The coverage guard is trained only in Rasa's graph (create()).")
        save_words(self._model_storage, self._resource, WORDS_FILE, known)
        self.known = Vocabulary(known)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CoverageGuard:
        """The trained guard (the answers' words from the model)."""
        return cls(
            config, model_storage, resource, load_words(model_storage, resource, WORDS_FILE)
        )

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        """Turn each unsure FAQ answer to a question with unfamiliar words into
        ``not_covered``."""
        if self.known is None or self.min_unfamiliar <= 0:
            return messages
        for message in messages:
            self._check(message, model)
        return messages

    def _check(self, message: Message, model: SpacyModel) -> None:
        text = message.get(TEXT)
        intent = message.get(INTENT) or {}
        if not text or text.strip().startswith("/") or intent.get(INTENT_NAME_KEY) != FAQ:
            return
        confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        if confidence >= self.max_confidence or self.known is None:
            return
        doc = message.get(SPACY_DOCS[TEXT]) or model.model(text)
        words = topic_words.unfamiliar(doc, self.known, skip_names=True)
        if len(words) < self.min_unfamiliar:
            return
        selected = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(FAQ) or {}
        topic = (selected.get(RESPONSE_SELECTOR_PREDICTION_KEY) or {}).get(INTENT_RESPONSE_KEY)
        message.set(
            PARSE_KEY,
            {"matched": ", ".join(words), "topic": topic, "confidence": confidence},
            add_to_output=True,
        )
        override_intent(message, NOT_COVERED)
