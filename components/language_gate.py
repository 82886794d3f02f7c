"""The language gate: a message in another language gets a reply in that language.

The assistant answers in English only. Read as English, a message in Spanish or Polish gets
whatever English answer its few shared words point to, with full confidence, and an
emergency described in German gets no emergency number. The gate finds such messages and
sets the intent ``other_language`` with the entity ``language`` (ISO 639-1, "es", "pl", ...),
which fills the slot ``language``: ``utter_other_language`` has a variation in each reply
language (domain.yml), each with the emergency line, and an English one for the rest.

Which language a message is in is :mod:`components.language.rules` (lingua and the share of
English words; short or mixed English stays English); this component configures them, adds
the words of the English training examples to their vocabulary, and sets the intent. When
the classifier took a message for ``other_language`` and the gate does not agree (a single
foreign word such as "hola"), the message becomes ``nlu_fallback``: the visitor is asked to
rephrase, never given the other-language reply for English. What the gate found is in the
parse data under ``language_gate``. It runs before the safety guard, which still turns a
described emergency into emergency guidance.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, FrozenSet, List, Optional, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.intent_classifier import PARSE_KEY as CLASSIFIER_KEY
from components.intents import override_intent
from components.language.rules import LanguageRules, Verdict, build_detector
from components.language.words import english_words
from components.word_list import load_words, save_words
from nlp.words import Vocabulary

logger = logging.getLogger(__name__)

OTHER_LANGUAGE = "other_language"
LANGUAGE_ENTITY = "language"
PARSE_KEY = "language_gate"
WORDS_FILE = "english_words.txt"

#: The languages whose replies domain.yml has (the slot `language` picks the variation).
DEFAULT_LANGUAGES = [
    "en", "es", "fr", "de", "it", "pt", "pl", "nl",
    # More languages, so that a message in one of them is not taken for its nearest
    # neighbour among the reply languages (it gets the reply for other languages).
    "sv", "da", "nb", "fi", "ro", "cs", "hu", "tr", "ru", "uk", "el", "ar", "zh", "ja", "ko",
]  # fmt: skip


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LanguageGate(GraphComponent, IntentClassifier):
    """Messages in another language become ``other_language`` (see module doc)."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """None: it reads the text. It stands after the classifier in config.yml, whose
        guess it checks (a trainable component cannot require another in Rasa's graph)."""
        return []

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """The languages lingua tells apart, and the decision's bounds (module doc)."""
        return {
            "languages": DEFAULT_LANGUAGES,
            "min_words": 3,
            "min_confidence": 0.5,
            "max_english_share": 0.5,
            "neutral_words": ["botox", "botulinum", "tox", "acne", "ok", "okay"],
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        english: Optional[FrozenSet[str]] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        words = english or english_words([])
        self.rules = LanguageRules(
            build_detector(list(self.config["languages"])),
            Vocabulary(words),
            self.config["neutral_words"],
            int(self.config["min_words"]),
            float(self.config["min_confidence"]),
            float(self.config["max_english_share"]),
        )

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageGate:
        """A gate with the dictionary's words only, until it is trained."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Add the words of the English training examples to the vocabulary."""
        texts = [
            e.get(TEXT)
            for e in training_data.intent_examples
            if e.get(TEXT) and e.get(INTENT) != OTHER_LANGUAGE
        ]
        words = english_words(texts)
        self.rules.english = Vocabulary(words)
        save_words(self._model_storage, self._resource, WORDS_FILE, words)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageGate:
        """The trained gate (its vocabulary from the model)."""
        words = load_words(model_storage, resource, WORDS_FILE)
        return cls(config, model_storage, resource, words)

    def process(self, messages: List[Message]) -> List[Message]:
        """Set ``other_language`` and the language entity where the gate says so."""
        for message in messages:
            self._check(message)
        return messages

    def _check(self, message: Message) -> None:
        text = message.get(TEXT)
        if not text or text.strip().startswith("/"):
            return  # a button payload
        verdict = self.rules.judge(text)
        current = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        # The classifier's own best label, also when the fallback took its place.
        label = (message.get(CLASSIFIER_KEY) or {}).get("label")
        classifier_says = OTHER_LANGUAGE in (current, label)
        if verdict.language is None and classifier_says:
            second = self.rules.second_opinion(text)
            if second is not None:
                verdict = Verdict(second, verdict.confidence, verdict.words, verdict.english_share)
        if verdict.language is None and current != OTHER_LANGUAGE:
            return
        message.set(PARSE_KEY, verdict.as_dict(), add_to_output=True)
        if verdict.language is None:
            # The classifier's guess, not the gate's: ask to rephrase rather than answer an
            # English message as another language.
            override_intent(message, DEFAULT_NLU_FALLBACK_INTENT_NAME)
            return
        override_intent(message, OTHER_LANGUAGE)
        entity = {
            ENTITY_ATTRIBUTE_TYPE: LANGUAGE_ENTITY,
            ENTITY_ATTRIBUTE_VALUE: verdict.language,
            ENTITY_ATTRIBUTE_START: 0,
            ENTITY_ATTRIBUTE_END: len(text),
            EXTRACTOR: type(self).__name__,
        }
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
