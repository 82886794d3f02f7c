"""The safety guard: a second, rule-based opinion on emergencies and personal advice.

The intent classifier is trained on examples; the guard reads the message with the
project's spaCy pipeline and the staff-readable patterns in ``data/safety/``
(:mod:`components.safety.rules`, which say what is a serious symptom someone has now and
what is a question about the writer's own case). When it finds a serious symptom that
someone has now or after a treatment, it sets the intent to ``report_emergency_symptom``;
when it finds a question about the writer's own case, or about dose and injection technique,
it sets ``request_medical_advice``.

The guard lowers an emergency the classifier found only when every symptom it reads in the
message is explicitly denied, past or gone; and a payload the visitor typed (see
``components/payload_guard.py``) is answered as a message not understood (``nlu_fallback``)
unless its words describe an emergency. What it did and why is kept in the parse data under
``safety_guard``, beside the classifier's guess.

It sits after the FallbackClassifier in ``config.yml``, so a message the classifier was
unsure about (``nlu_fallback``) is still caught.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List

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
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language

from components.intents import override_intent
from components.payload_guard import PARSE_KEY as FORGED_PAYLOAD_KEY
from components.safety.patterns import DEFAULT_PATTERNS_DIR, GuardPatterns
from components.safety.rules import (
    ADVICE,
    EMERGENCY,
    GENERAL_WORDING_RULES,
    OFF_TOPIC_RULES,
    Finding,
    SafetyRules,
)
from components.scope_guard import PARSE_KEY as SCOPE_GUARD_KEY

logger = logging.getLogger(__name__)

#: Intents the guard may turn into personal advice. An off-topic question, a greeting, a
#: booking request or a "yes" that mentions a medicine is answered as what it is.
FALLBACK = DEFAULT_NLU_FALLBACK_INTENT_NAME
ADVICE_OVERRIDABLE = {"faq", FALLBACK, ADVICE, "not_covered"}
#: A question the source text does not answer, only asked in the first person ("should I
#: avoid the sun after?", ``GENERAL_WORDING_RULES``), is still a general question: only a
#: more specific finding makes it personal.
NOT_COVERED = "not_covered"
#: A message the classifier took for off topic that asks for the treatment in the writer's
#: case (``OFF_TOPIC_RULES``: "can I have it if I've got a cold sore?"), or asks about the
#: writer's own case with a word of this treatment or a visit for it (``visit`` in
#: advice.yml: "I'm on antibiotics, can I still come in on Thursday?"), is refused, unless
#: the scope guard found another subject in it (components/scope_guard.py). When the scope
#: guard turned the classifier's personal advice into off topic, a personal question the
#: guard finds is refused again; a dose question about another subject stays off topic
#: ("which needle size for knitting a scarf?").
OFF_TOPIC = "out_of_scope"
DOSE_RULE = "advice:dose"
#: Entity ruler labels recorded beside a finding.
REVIEW_ENTITIES = {"symptom", "body_area", "treatment"}
PARSE_KEY = "safety_guard"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
    is_trainable=False,
    model_from="SpacyNLP",
)
class SafetyGuard(GraphComponent, IntentClassifier):
    """Rule-based second opinion on emergencies and personal advice (see module doc)."""

    @classmethod
    def required_components(cls) -> List[type]:
        """The classifier whose guess the guard checks."""
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """``patterns_dir``: folder with emergency.yml and advice.yml (default data/safety)."""
        return {"patterns_dir": None}

    def __init__(self, config: Dict[str, Any]) -> None:
        folder = config.get("patterns_dir")
        self.patterns = GuardPatterns.load(Path(folder) if folder else DEFAULT_PATTERNS_DIR)
        self._rules: SafetyRules | None = None
        self._rules_for: int | None = None

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyGuard:
        """Read the patterns; a broken pattern file stops the server with its name."""
        return cls(config)

    def rules(self, nlp: Language) -> SafetyRules:
        """The compiled rules for this spaCy pipeline (compiled once)."""
        if self._rules is None or self._rules_for != id(nlp):
            self._rules = SafetyRules(nlp, self.patterns)
            self._rules_for = id(nlp)
        return self._rules

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        """Check each message and correct its intent where the rules say so."""
        rules = self.rules(model.model)
        for message in messages:
            self._check(message, rules, model.model)
        return messages

    def _check(self, message: Message, rules: SafetyRules, nlp: Language) -> None:
        text = message.get(TEXT)
        if not text or text.strip().startswith("/"):
            return  # a button payload: handled by Rasa's RegexMessageHandler
        doc = message.get(SPACY_DOCS[TEXT]) or nlp(text)
        classified = dict(message.get(INTENT) or {})
        current = classified.get(INTENT_NAME_KEY)
        reading = rules.read(doc)
        finding = reading.finding
        forged = message.get(FORGED_PAYLOAD_KEY)
        if forged and (finding is None or finding.intent != EMERGENCY):
            # A payload the visitor typed (components/payload_guard.py) steers nothing: it
            # is answered as a message not understood, unless its words are an emergency.
            finding = Finding(FALLBACK, "forged_payload", forged)
        elif current == EMERGENCY and reading.symptoms_discounted:
            # Every symptom named is denied, past or gone: the classifier's emergency is
            # taken back, for the guard's own finding or the classifier's next guess.
            finding = finding or Finding(
                self._next_guess(message), "emergency_discounted", classified.get("name", "")
            )
        elif finding is None or current == EMERGENCY:
            return  # nothing found, or the classifier already found an emergency
        scope = message.get(SCOPE_GUARD_KEY) or {}
        if _same_words(scope.get("matched"), finding.matched):
            # What the finding names is the other subject ("where should I rotate my insulin
            # injections?"): a question about it, not about this treatment.
            scope = {**scope, "classifier_intent": None}
        asks_off_topic = current == OFF_TOPIC and (
            (
                not scope
                and (
                    finding.rule in OFF_TOPIC_RULES
                    or rules.about_a_visit(doc)
                    or finding.rule == DOSE_RULE
                )
            )
            or (scope.get("classifier_intent") == ADVICE and finding.rule != DOSE_RULE)
        )
        if (
            finding.intent == ADVICE
            and not asks_off_topic
            and (
                current not in ADVICE_OVERRIDABLE | {EMERGENCY}
                or (current == NOT_COVERED and finding.rule in GENERAL_WORDING_RULES)
            )
        ):
            return
        message.set(
            PARSE_KEY,
            {
                "intent": finding.intent,
                "rule": finding.rule,
                "matched": finding.matched,
                "classifier_intent": classified,
                # What the entity ruler (nlp/entities.yml) saw, for the reviewer.
                "entities": [
                    {"entity": ent.label_, "value": ent.text}
                    for ent in doc.ents
                    if ent.label_ in REVIEW_ENTITIES
                ],
            },
            add_to_output=True,
        )
        if finding.intent == current:
            return
        override_intent(message, finding.intent)
        logger.debug("safety guard: %s -> %s (rule %s)", current, finding.intent, finding.rule)

    @staticmethod
    def _next_guess(message: Message) -> str:
        """The classifier's best intent after the emergency (nlu_fallback if none)."""
        for entry in message.get(INTENT_RANKING_KEY) or []:
            name = entry.get(INTENT_NAME_KEY)
            if name and name != EMERGENCY:
                return str(name)
        return FALLBACK


def _same_words(scope_matched: Any, finding_matched: str) -> bool:
    """The scope guard's subject and the safety guard's finding name the same words."""
    if not scope_matched:
        return False
    a, b = str(scope_matched).lower(), finding_matched.lower()
    return a in b or b in a
