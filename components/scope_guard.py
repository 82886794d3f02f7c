"""The scope guard: another subject in this treatment's words is off topic.

A question about another treatment, another use of Botox or another operation can sound
like a question about Botox for acne scars: "how long is the recovery after a hair
transplant?" has the words of the downtime answer, "is botox for sweaty palms painful?"
those of the pain answer. The classifier, trained mostly on this treatment's questions, may
give them that answer with confidence. The guard reads the message for the subjects of the
staff-readable list ``data/scope/other_subjects.yml``; when one is there and nothing about
acne scars is (and, for another treatment, nothing about this one: "a spray tan after the
treatment?" is a question about this treatment), it sets the intent ``out_of_scope`` (the
assistant says what it can help with). It changes only messages the classifier took for an
FAQ question, a question not covered or a message not understood; greetings, bookings,
personal advice and emergencies are left as they are, and the safety guard after it still
answers an emergency as one. What it did is in the parse data under ``scope_guard``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Type

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
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language
from spacy.tokens import Doc

from components.phrases import PhraseMatcher

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "scope" / "other_subjects.yml"
OUT_OF_SCOPE = "out_of_scope"
#: The group of other uses of Botox, to which naming Botox does not make a difference.
OTHER_USES = "botox_for_other_uses"
PARSE_KEY = "scope_guard"
#: The classifier's readings the guard may turn into off topic.
OVERRIDABLE = {"faq", "not_covered", DEFAULT_NLU_FALLBACK_INTENT_NAME}


def _phrases(value: Any, where: str) -> List[str]:
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise ValueError(f"{where} must be a list of phrases")
    return [str(p) for p in value]


class ScopeRules:
    """Which other subject a ``Doc`` names, if it names no acne scar (independent of Rasa)."""

    def __init__(self, nlp: Language, path: Path) -> None:
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

    def other_subject(self, doc: Doc) -> Optional[Dict[str, str]]:
        """The subject and the words that name it, when the message is about another
        subject and not about acne scars; else None."""
        found = self.subjects.find(doc)
        if not found or self.scars.find(doc):
            return None
        if self.treatment.find(doc):
            # This treatment is named: only another use of Botox makes it another subject.
            found = [f for f in found if f[0] == OTHER_USES]
            if not found:
                return None
        name, start, end = found[0]
        return {"subject": name, "matched": doc[start:end].text}


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False, model_from="SpacyNLP"
)
class ScopeGuard(GraphComponent, IntentClassifier):
    """Another subject in this treatment's words becomes ``out_of_scope`` (module doc)."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """The classifier whose guess the guard checks."""
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """``subjects_file``: the list of other subjects (default data/scope/...)."""
        return {"subjects_file": None}

    def __init__(self, config: Dict[str, Any]) -> None:
        path = config.get("subjects_file")
        self.path = Path(path) if path else DEFAULT_FILE
        # Read now, so a broken file stops the server with its name.
        yaml.safe_load(self.path.read_text(encoding="utf-8"))
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
        """Read the list of other subjects."""
        return cls({**cls.get_default_config(), **config})

    def rules(self, nlp: Language) -> ScopeRules:
        """The compiled rules for this spaCy pipeline (compiled once)."""
        if self._rules is None or self._rules_for != id(nlp):
            self._rules = ScopeRules(nlp, self.path)
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
        if not text or text.strip().startswith("/") or current not in OVERRIDABLE:
            return
        found = rules.other_subject(message.get(SPACY_DOCS[TEXT]) or nlp(text))
        if found is None:
            return
        message.set(PARSE_KEY, {**found, "classifier_intent": current}, add_to_output=True)
        intent = {INTENT_NAME_KEY: OUT_OF_SCOPE, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [
            r
            for r in message.get(INTENT_RANKING_KEY) or []
            if r.get(INTENT_NAME_KEY) != OUT_OF_SCOPE
        ]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
