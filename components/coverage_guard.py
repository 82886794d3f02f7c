"""The coverage guard: a question about something the source text does not cover is
``not_covered``, not the answer of the topic it resembles.

The classifier gives every question about this treatment the topic it resembles most. A
question the source text does not answer ("who makes Botox, what company is it?", "is it kept
in a fridge?", "how many sessions does it usually take?") resembles one of them in its other
words, and gets that topic's answer, an answer to a question the visitor did not ask, when
its confidence clears the fallback threshold. The guard reads each message the classifier
took for an FAQ question for two marks of such a question:

- **a subject the source does not cover**, from the staff-readable list
  ``data/scope/not_covered.yml`` (the number of sessions, makers and brands, approval and
  studies, aftercare the source says nothing about...), named in what the message asks (a
  statement beside a question only says where the writer comes from: "How does it work? I
  only know it from celebrities."): whatever the classifier's confidence, and also when it
  was unsure (``nlu_fallback``) between an FAQ topic or ``not_covered`` and nothing else:
  the visitor is told honestly what the assistant does not know rather than asked to
  rephrase;
- **an unfamiliar word** in an answer the classifier was not sure of (confidence below
  ``max_confidence``): at least ``min_unfamiliar_words`` words that neither the source text
  nor any training example of the assistant's answers uses ("company", "fridge",
  "regulates"; components/topic_words.py: dictionary words, not typos; names of people and
  places left out), where the topics' own questions, even in new wording, mostly use words
  the topics have met. An answer the classifier is sure of is left as it is: a question in
  the topic's words with one new word in it ("is there some kind of pain relief?") is still
  the topic's.

Either sets the intent ``not_covered``: the assistant says its information does not cover
that and gives the clinic's number, and the message appears on the staff app's unanswered
questions, where staff can teach the topic the new word if it was the topic's question after
all. An emergency or a question about the writer's own case is still answered as one (the
safety guard comes after). The words are learnt at training from the source text and the
examples of every intent but ``not_covered``, ``out_of_scope`` and ``other_language`` (the
words of questions the assistant does not answer are not its own), and kept in the model.
The two settings were chosen on the project's held-out sets and report batches
(docs/how-it-works.md, "Understanding"). What the guard did is in the parse data under
``coverage_guard``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional, Tuple, Type

import yaml
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
from spacy.language import Language
from spacy.tokens import Doc

from components import topic_words
from components.intent_classifier import PARSE_KEY as CLASSIFIER_KEY
from components.intents import override_intent
from components.phrases import PhraseMatcher
from components.word_list import load_words, save_words
from nlp.words import Vocabulary

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "data" / "scope" / "not_covered.yml"
NOT_COVERED = "not_covered"
#: The intents whose examples are questions the assistant does not answer.
NOT_ANSWERED = {NOT_COVERED, "out_of_scope", "other_language"}
#: The intent whose answers the guard checks.
FAQ = "faq"
FALLBACK = "nlu_fallback"
UNFAMILIAR = "unfamiliar_words"
WORDS_FILE = "answered_words.txt"
PARSE_KEY = "coverage_guard"
#: What ends a sentence.
SENTENCE_END = frozenset({".", "!", "?", "\n"})
#: A shorter question refers to what was said before it ("I read it's banned. Is it?").
MIN_QUESTION_WORDS = 5
#: Words that open a question even without a question mark.
QUESTION_OPENERS = frozenset(
    """how what whats which who whos why when where is are does do did can could will would
    should may might any anything""".split()
)


def read_subjects(nlp: Language, path: Path) -> PhraseMatcher:
    """The list's subjects compiled for ``nlp``; a broken list is named."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    subjects = data.get("subjects") if isinstance(data, dict) else None
    if not isinstance(subjects, dict):
        raise ValueError(f"{path}: expected `subjects:` with a list of phrases under each name")
    matcher = PhraseMatcher(nlp)
    for name, phrases in subjects.items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise ValueError(f"{path}: subjects: {name} must be a list of phrases")
        matcher.add(str(name), phrases)
    return matcher


def asked_parts(doc: Doc) -> List[Tuple[int, int]]:
    """The token spans of ``doc`` that ask: all of it, unless it has both questions (a
    sentence ending with "?" or opening with a question word, of at least
    ``MIN_QUESTION_WORDS`` words) and statements, when only the questions. "How does Botox
    work on muscles? I only know it from celebrity gossip." asks how Botox works; the gossip
    is where the writer heard of it."""
    sentences: List[Tuple[int, int, bool]] = []
    start = 0
    for token in doc:
        if token.text in SENTENCE_END or token.i == len(doc) - 1:
            end = token.i + 1
            words = [t for t in doc[start:end] if not t.is_punct]
            asks = doc[end - 1].text == "?" or bool(words and words[0].lower_ in QUESTION_OPENERS)
            if words:
                # A short question asks about the statement before it ("Is that true?").
                sentences.append((start, end, asks and len(words) >= MIN_QUESTION_WORDS))
            start = end
    questions = [(s, e) for s, e, asks in sentences if asks]
    if not questions or len(questions) == len(sentences):
        return [(0, len(doc))]
    return questions


def named_subject(matcher: PhraseMatcher, doc: Doc) -> Optional[Dict[str, str]]:
    """The first subject of the list that the asking part of ``doc`` names (see
    :func:`asked_parts`), and its words; else None."""
    parts = asked_parts(doc)
    for name, start, end in matcher.find(doc):
        if any(first <= start and end <= last for first, last in parts):
            return {"subject": name, "matched": doc[start:end].text}
    return None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True, model_from="SpacyNLP"
)
class CoverageGuard(GraphComponent, IntentClassifier):
    """A question about a subject the source does not cover, or an unsure answer to one
    with an unfamiliar word, becomes ``not_covered`` (module doc)."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """None: it reads spaCy's parse. It stands after the classifier and the fallback in
        config.yml, whose decision it checks."""
        return []

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """``subjects_file``: the subjects the source does not cover (default
        data/scope/not_covered.yml); ``source_file``: the source text, whose words are
        familiar (default content/...); ``max_confidence``: FAQ answers at or above it
        keep their unfamiliar words; ``min_unfamiliar_words``: how many unfamiliar words make
        a question not covered (0 turns that rule off)."""
        return {
            "subjects_file": None,
            "source_file": None,
            "max_confidence": 0.7,
            "min_unfamiliar_words": 1,
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        known: Optional[FrozenSet[str]] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        subjects = self.config.get("subjects_file")
        self.path = Path(subjects) if subjects else DEFAULT_FILE
        source = self.config.get("source_file")
        self.source = Path(source) if source else topic_words.SOURCE_FILE
        self.max_confidence = float(self.config["max_confidence"])
        self.min_unfamiliar = int(self.config["min_unfamiliar_words"])
        # Read now, so a broken file stops the server with its name.
        yaml.safe_load(self.path.read_text(encoding="utf-8"))
        self._model_storage = model_storage
        self._resource = resource
        self.known = Vocabulary(known) if known is not None else None
        self._subjects: Optional[PhraseMatcher] = None
        self._subjects_for: Optional[int] = None

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CoverageGuard:
        """A guard with the list only, until it has learnt the answers' words."""
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
        words = load_words(model_storage, resource, WORDS_FILE)
        return cls(config, model_storage, resource, words)

    def subjects(self, nlp: Language) -> PhraseMatcher:
        """The list compiled for this spaCy pipeline (compiled once)."""
        if self._subjects is None or self._subjects_for != id(nlp):
            self._subjects = read_subjects(nlp, self.path)
            self._subjects_for = id(nlp)
        return self._subjects

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        """Turn each answer to a question the source does not cover into ``not_covered``."""
        subjects = self.subjects(model.model)
        for message in messages:
            self._check(message, subjects, model.model)
        return messages

    def _check(self, message: Message, subjects: PhraseMatcher, nlp: Language) -> None:
        text = message.get(TEXT)
        intent = message.get(INTENT) or {}
        name = intent.get(INTENT_NAME_KEY)
        if not text or text.strip().startswith("/"):
            return
        if name == FAQ:
            topic = _selected_topic(message)
        elif name == FALLBACK:
            topic = str((message.get(CLASSIFIER_KEY) or {}).get("label") or "")
            if not (topic.startswith(FAQ + "/") or topic == NOT_COVERED):
                return
        else:
            return
        doc = message.get(SPACY_DOCS[TEXT]) or nlp(text)
        confidence = float(intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        found = named_subject(subjects, doc)
        if found is None and name == FAQ:
            found = self._unfamiliar(doc, confidence)
        if found is None:
            return
        message.set(
            PARSE_KEY,
            {**found, "classifier_intent": name, "topic": topic, "confidence": confidence},
            add_to_output=True,
        )
        override_intent(message, NOT_COVERED)

    def _unfamiliar(self, doc: Doc, confidence: float) -> Optional[Dict[str, str]]:
        if self.known is None or self.min_unfamiliar <= 0 or confidence >= self.max_confidence:
            return None
        words = topic_words.unfamiliar(doc, self.known, skip_names=True)
        if len(words) < self.min_unfamiliar:
            return None
        return {"subject": UNFAMILIAR, "matched": ", ".join(words)}


def _selected_topic(message: Message) -> Optional[str]:
    selected = (message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}).get(FAQ) or {}
    topic = (selected.get(RESPONSE_SELECTOR_PREDICTION_KEY) or {}).get(INTENT_RESPONSE_KEY)
    return str(topic) if topic else None
