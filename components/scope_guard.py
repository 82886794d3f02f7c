"""The scope guard: another subject in this treatment's words is off topic.

A question about another treatment, another use of Botox or another operation can sound
like a question about Botox for acne scars: "how long is the recovery after a hair
transplant?" has the words of the downtime answer, "is botox for sweaty palms painful?"
those of the pain answer. The classifier, trained mostly on this treatment's questions, may
give them that answer with confidence. The guard reads the message for the subjects of the
staff-readable list ``data/scope/other_subjects.yml``; when one is there and nothing about
acne scars is (and, for another treatment, nothing about this one: "a spray tan after the
treatment?" is a question about this treatment), it sets the intent ``out_of_scope`` (the
assistant says what it can help with).

No list names every other subject, so the guard also reads the message for unfamiliar
words: words of an English dictionary that neither the training examples of the
assistant's own topics nor the source text ever use ("pufferfish", "tenancy", "knit",
"aloe vera"). A message with at least ``min_unfamiliar_words`` of them that names neither
acne scars nor this treatment is about something else, whatever its other words ("is the
poison in pufferfish a neurotoxin?" is not the what-is-Botox question). Typos are not in the
dictionary and a name is one word, so a question about the treatment in new words or with
mistakes stays in; the vocabulary is learnt at training, so a word staff teach in an
example is familiar from the next publish on.

A message of punctuation or emoji alone ("??") asks no topic's question either; an
attempt to change the assistant's instructions (the list's ``prompt_injection``) is off topic
whatever else it names.

It changes only messages the classifier took for an FAQ question, a question not covered,
personal advice or a message not understood; greetings, bookings and emergencies are left
as they are, and the safety guard after it still answers an emergency as one, and a
question about the writer's own case as one. What it did
is in the parse data under ``scope_guard``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional, Type

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.language import Language
from spacy.tokens import Doc

from components import topic_words
from components.intents import override_intent
from components.phrases import PhraseMatcher
from components.word_list import load_words, save_words
from nlp.words import Vocabulary

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "data" / "scope" / "other_subjects.yml"
#: The intents whose examples are not about the assistant's topics.
NOT_OURS = {"out_of_scope", "other_language"}
UNFAMILIAR = "unfamiliar_words"
WORDS_FILE = "known_words.txt"
OUT_OF_SCOPE = "out_of_scope"
#: The group of other uses of Botox, to which naming Botox does not make a difference.
OTHER_USES = "botox_for_other_uses"
#: The group of attempts to change the assistant's instructions: off topic whatever they name.
PROMPT_INJECTION = "prompt_injection"
#: A message without a letter or a digit.
NO_WORDS = "no_words"
PARSE_KEY = "scope_guard"
#: The classifier's readings the guard may turn into off topic. Personal advice is among
#: them ("is botox for migraines any good?"); the safety guard after it refuses again when
#: its own patterns find a personal question (components/safety_guard.py).
FALLBACK = DEFAULT_NLU_FALLBACK_INTENT_NAME
OVERRIDABLE = {
    "faq",
    "not_covered",
    "request_medical_advice",
    DEFAULT_NLU_FALLBACK_INTENT_NAME,
}


def _phrases(value: Any, where: str) -> List[str]:
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise ValueError(f"{where} must be a list of phrases")
    return [str(p) for p in value]


class ScopeRules:
    """Which other subject a ``Doc`` names, if it names no acne scar (independent of Rasa).

    ``known``: the words of the assistant's topics; without it, only the list decides.
    """

    def __init__(
        self,
        nlp: Language,
        path: Path,
        known: Optional[Vocabulary] = None,
        min_unfamiliar: int = 2,
    ) -> None:
        self.known = known
        self.min_unfamiliar = min_unfamiliar
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected `subjects` and `acne_scars`")
        self.subjects = PhraseMatcher(nlp)
        for name, phrases in (data.get("subjects") or {}).items():
            self.subjects.add(str(name), _phrases(phrases, f"{path}: subjects: {name}"))
        self.scars = PhraseMatcher(nlp)
        self.scars.add("acne_scars", _phrases(data.get("acne_scars"), f"{path}: acne_scars"))
        self.treatment = PhraseMatcher(nlp)
        this = data.get("this_treatment") or []
        if this:
            self.treatment.add("this_treatment", _phrases(this, f"{path}: this_treatment"))

    def unfamiliar(self, doc: Doc) -> List[str]:
        """The dictionary words of ``doc`` that the assistant's topics never use."""
        if self.known is None:
            return []
        return topic_words.unfamiliar(doc, self.known)

    def other_subject(self, doc: Doc) -> Optional[Dict[str, str]]:
        """The subject and the words that name it, when the message is about another
        subject and not about acne scars; else None."""
        if not any(char.isalnum() for char in doc.text):
            # Punctuation and emoji alone ask nothing ("??", "..."): no topic's question.
            return {"subject": NO_WORDS, "matched": doc.text}
        found = self.subjects.find(doc)
        if not found:
            return self._unfamiliar_subject(doc)
        injected = [f for f in found if f[0] == PROMPT_INJECTION]
        if injected:
            # An attempt to change the instructions, whatever it names.
            name, start, end = injected[0]
            return {"subject": name, "matched": doc[start:end].text}
        if self.scars.find(doc):
            return None
        if self.treatment.find(doc):
            # This treatment is named: only another use of Botox makes it another subject.
            found = [f for f in found if f[0] == OTHER_USES]
            if not found:
                return None
        name, start, end = found[0]
        return {"subject": name, "matched": doc[start:end].text}

    def _unfamiliar_subject(self, doc: Doc) -> Optional[Dict[str, str]]:
        if self.known is None or self.scars.find(doc) or self.treatment.find(doc):
            return None
        words = self.unfamiliar(doc)
        if len(words) < self.min_unfamiliar:
            return None
        return {"subject": UNFAMILIAR, "matched": ", ".join(words)}


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True, model_from="SpacyNLP"
)
class ScopeGuard(GraphComponent, IntentClassifier):
    """Another subject in this treatment's words becomes ``out_of_scope`` (module doc)."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """None: it reads spaCy's parse. It stands after the classifier in config.yml, whose
        guess it checks (a trainable component cannot require another in Rasa's graph)."""
        return []

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """``subjects_file``: the list of other subjects (default data/scope/...);
        ``source_file``: the source text, whose words are familiar (default content/...);
        ``min_unfamiliar_words``: how many unfamiliar words make another subject (module
        doc; 0 turns that rule off)."""
        return {"subjects_file": None, "source_file": None, "min_unfamiliar_words": 2}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        known: Optional[FrozenSet[str]] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        path = self.config.get("subjects_file")
        self.path = Path(path) if path else DEFAULT_FILE
        source = self.config.get("source_file")
        self.source = Path(source) if source else topic_words.SOURCE_FILE
        # Read now, so a broken file stops the server with its name.
        yaml.safe_load(self.path.read_text(encoding="utf-8"))
        self._model_storage = model_storage
        self._resource = resource
        minimum = int(self.config["min_unfamiliar_words"])
        self.known = Vocabulary(known) if known is not None and minimum > 0 else None
        self._rules: Optional[ScopeRules] = None
        self._rules_for: Optional[int] = None

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ScopeGuard:
        """A guard with the list only, until it has learnt the topics' words."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData, model: SpacyModel) -> Resource:
        """Learn the words of the assistant's topics: those of the training examples (all
        but the off-topic and other-language ones) and of the source text."""
        known = topic_words.learn(training_data, model.model, self.source, NOT_OURS)
        if self._model_storage is None or self._resource is None:
            raise ValueError("The scope guard is trained only in Rasa's graph (create()).")
        save_words(self._model_storage, self._resource, WORDS_FILE, known)
        if int(self.config["min_unfamiliar_words"]) > 0:
            self.known = Vocabulary(known)
        self._rules = None
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ScopeGuard:
        """The trained guard (the topics' words from the model)."""
        words = load_words(model_storage, resource, WORDS_FILE)
        return cls(config, model_storage, resource, words)

    def rules(self, nlp: Language) -> ScopeRules:
        """The compiled rules for this spaCy pipeline (compiled once)."""
        if self._rules is None or self._rules_for != id(nlp):
            minimum = int(self.config["min_unfamiliar_words"])
            self._rules = ScopeRules(nlp, self.path, self.known, minimum)
            self._rules_for = id(nlp)
        return self._rules

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        """Turn each message about another subject into ``out_of_scope``."""
        rules = self.rules(model.model)
        for message in messages:
            self._check(message, rules, model.model)
        return messages

    def _check(self, message: Message, rules: ScopeRules, nlp: Language) -> None:
        text = message.get(TEXT)
        current = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if not text or text.strip().startswith("/"):
            return
        if current not in OVERRIDABLE and current != OUT_OF_SCOPE:
            return
        found = rules.other_subject(message.get(SPACY_DOCS[TEXT]) or nlp(text))
        if found is None or (found["subject"] == NO_WORDS and current == FALLBACK):
            return  # (an unsure reading of "??" already asks to rephrase)
        # Recorded for an off-topic reading too: the safety guard then knows the message is
        # about another subject ("how many units for crow's feet?").
        message.set(PARSE_KEY, {**found, "classifier_intent": current}, add_to_output=True)
        if current != OUT_OF_SCOPE:
            override_intent(message, OUT_OF_SCOPE)
