"""The safety guard: a second, rule-based opinion on emergencies and personal advice.

The intent classifier (DIET) is trained on examples; the guard reads the message with the
project's spaCy pipeline and the staff-readable patterns in ``data/safety/``. When it finds
a serious symptom that someone has now or after a treatment, it sets the intent to
``report_emergency_symptom``; when it finds a question about the writer's own case, it sets
``request_medical_advice``. It never lowers an emergency the classifier found, except for a
payload the visitor typed (see ``components/payload_guard.py``): that is answered as a
message not understood (``nlu_fallback``) unless its words describe an emergency. What it
did and why is kept in the parse data under ``safety_guard``, beside the classifier's
guess.

It sits after the FallbackClassifier in ``config.yml``, so a message the classifier was
unsure about (``nlu_fallback``) is still caught.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Tuple

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
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token

from components.payload_guard import PARSE_KEY as FORGED_PAYLOAD_KEY

logger = logging.getLogger(__name__)

DEFAULT_PATTERNS_DIR = Path(__file__).resolve().parent.parent / "data" / "safety"
EMERGENCY = "report_emergency_symptom"
ADVICE = "request_medical_advice"
#: Intents the guard may turn into personal advice. An off-topic question, a greeting, a
#: booking request or a "yes" that mentions a medicine is answered as what it is.
FALLBACK = DEFAULT_NLU_FALLBACK_INTENT_NAME
ADVICE_OVERRIDABLE = {"faq", FALLBACK, ADVICE}
#: Entity ruler labels recorded beside a finding.
REVIEW_ENTITIES = {"symptom", "body_area", "treatment"}
PARSE_KEY = "safety_guard"
#: The spaCy token attribute the guard matches content words on. Before matching, each
#: token's NORM is set to the lemma of its lower-cased text (spaCy's own LEMMA is left as
#: the pipeline made it: Rasa's featurisers read it). A native attribute, compared in
#: spaCy's compiled matcher, costs a small fraction of a custom ``Token._`` getter, which
#: spaCy calls in Python for every token and pattern: that was 4 ms of each message.
MATCH_ATTR = "NORM"

#: How many tokens before a symptom a negation or a hypothetical cue may stand.
NEGATION_WINDOW = 3
HYPOTHETICAL_WINDOW = 6
WILDCARD_SPAN = 3
#: Spellings of a word that mean the same to the guard.
EQUIVALENT = {
    "ca": {"ca", "can"},
    "n't": {"n't", "nt", "not"},
    "won't": {"won't", "wont"},
    "wo": {"wo", "will"},
    "i'm": {"i'm", "im"},
}
SENTENCE_END = {".", "!", "?", ";"}
#: A negation after these words, or before these, says someone cannot do something
#: ("can't swallow", "won't open", "not able to breathe"): a symptom, not a denial.
INABILITY_BEFORE = {"ca", "can", "cannot", "wo", "will", "could", "couldn't"}
INABILITY_AFTER = {"able", "can"}
#: Words that match only as written: "I had it" must not match "I have it".
FUNCTION_WORDS = frozenset(
    (
        "i me my we our us he she his her him they them their it its you your a an the this "
        "that these those of in on at to for with from by and or but if is am are was were be "
        "been being had has have having do does did done can could will would shall should "
        "might may must not no what which who when where how since ago"
    ).split()
)
#: A condition named after a person: "I have Hashimoto's", "diagnosed with Crohn's".
_NAMED_CONDITION = re.compile(
    r"\b(i have|i've got|i suffer from|diagnosed with|she has|he has)\s+([a-z]+)(?:'|\u2019)s\b",
    re.IGNORECASE,
)
_NOT_CONDITIONS = {"today", "tomorrow", "yesterday", "monday", "friday", "everyone", "it"}
_AGE = re.compile(r"\b(i'?m|i am|aged?|she'?s|he'?s)\s+(1[0-9]|[2-9][0-9])\b", re.IGNORECASE)


def _read_yaml(path: Path) -> Dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected named lists of phrases")
    return data


def _phrases(value: Any, where: str) -> List[str]:
    if not isinstance(value, list) or not all(isinstance(p, (str, int)) for p in value):
        raise ValueError(f"{where} must be a list of phrases")
    return [str(p) for p in value]


@dataclass(frozen=True)
class GuardPatterns:
    """The patterns of ``data/safety/``, as staff wrote them."""

    symptoms: Dict[str, List[str]]
    negations: List[str]
    general_question: List[str]
    hypothetical: List[str]
    person: List[str]
    now: List[str]
    spellings: Dict[str, str]
    personal: Dict[str, List[str]]

    @classmethod
    def load(cls, folder: Path) -> GuardPatterns:
        """Read ``emergency.yml`` and ``advice.yml`` from ``folder``."""
        emergency = _read_yaml(folder / "emergency.yml")
        advice = _read_yaml(folder / "advice.yml")
        symptoms = emergency.get("symptoms") or {}
        personal = advice.get("personal") or {}
        return cls(
            symptoms={k: _phrases(v, f"symptoms: {k}") for k, v in symptoms.items()},
            negations=_phrases(emergency.get("negations", []), "negations"),
            general_question=_phrases(emergency.get("general_question", []), "general_question"),
            hypothetical=_phrases(emergency.get("hypothetical", []), "hypothetical"),
            person=_phrases(emergency.get("person", []), "person"),
            now=_phrases(emergency.get("now", []), "now"),
            spellings={
                str(k).lower(): str(v) for k, v in (emergency.get("spellings") or {}).items()
            },
            personal={k: _phrases(v, f"personal: {k}") for k, v in personal.items()},
        )


@dataclass(frozen=True)
class Finding:
    """What the guard found in one message."""

    intent: str
    rule: str
    matched: str


def _lemma_lookup(nlp: Language) -> Any:
    """The lookup lemmatiser's table of the project's pipeline (empty if it has none)."""
    if "lemmatizer" not in nlp.pipe_names:
        return {}
    lemmatizer: Any = nlp.get_pipe("lemmatizer")
    return lemmatizer.lookups.get_table("lemma_lookup", {})


def _one_of(values: Iterable[str]) -> Any:
    """A token-attribute value: the word itself when there is one (compared natively by
    spaCy's matcher), else ``{"IN": [...]}`` (a predicate spaCy checks in Python)."""
    ordered = sorted(set(values))
    return ordered[0] if len(ordered) == 1 else {"IN": ordered}


class _PhraseMatcher:
    """spaCy Matcher for phrases in any form of their words, with "*" for a few words.

    Content words match by lemma of the lower-cased token ("Drooping" and "droops" both
    match "droop"); small words ("had", "my", "not") match as written, so "I had it" does
    not match "I have it".
    """

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.matcher = Matcher(nlp.vocab)
        self.table = _lemma_lookup(nlp)

    def token_pattern(self, word: str) -> Dict[str, Any]:
        """How one word of a phrase matches a token."""
        forms = {word} | EQUIVALENT.get(word, set())
        if word in FUNCTION_WORDS or word in EQUIVALENT or not word.isalpha():
            return {"LOWER": _one_of(forms)}
        return {MATCH_ATTR: _one_of({self.table.get(w, w) for w in forms})}

    def lemmatise(self, doc: Doc) -> None:
        """Set each token's NORM to the lemma of its lower-cased text ("Drooping" ->
        "droop"), which the content-word patterns match."""
        table = self.table
        for token in doc:
            lower = token.lower_
            token.norm_ = table.get(lower, lower)

    def add(self, key: str, phrases: Iterable[str]) -> None:
        patterns = []
        for phrase in phrases:
            pattern: List[Dict[str, Any]] = []
            for token in self.nlp.make_doc(phrase.lower()):
                if token.text == "*":
                    pattern.extend({"OP": "?"} for _ in range(WILDCARD_SPAN))
                else:
                    pattern.append(self.token_pattern(token.text))
            patterns.append(pattern)
        self.matcher.add(key, patterns)

    def find(self, doc: Doc) -> List[Tuple[str, int, int]]:
        """(key, start, end) of each match, longest first where they overlap."""
        self.lemmatise(doc)
        found = []
        for match_id, start, end in self.matcher(doc):
            found.append((self.nlp.vocab.strings[match_id], start, end))
        return sorted(found, key=lambda m: (m[1], -(m[2] - m[1])))


class SafetyRules:
    """The guard's decision for one spaCy ``Doc``, independent of Rasa."""

    def __init__(self, nlp: Language, patterns: GuardPatterns) -> None:
        self.nlp = nlp
        self.spellings = patterns.spellings
        self._misspelt = (
            re.compile(
                r"\b("
                + "|".join(map(re.escape, sorted(self.spellings, key=len, reverse=True)))
                + r")\b",
                re.IGNORECASE,
            )
            if self.spellings
            else None
        )
        self.symptoms = _PhraseMatcher(nlp)
        for group, phrases in patterns.symptoms.items():
            self.symptoms.add(f"emergency:{group}", phrases)
        self.cues = _PhraseMatcher(nlp)
        self.cues.add("general_question", patterns.general_question)
        self.cues.add("hypothetical", patterns.hypothetical)
        self.cues.add("person", patterns.person)
        self.cues.add("now", patterns.now)
        self.negations = {w.lower() for w in patterns.negations} | {"nt"}
        self.personal = _PhraseMatcher(nlp)
        for group, phrases in patterns.personal.items():
            self.personal.add(f"advice:{group}", phrases)

    def decide(self, doc: Doc) -> Finding | None:
        """An emergency if one is described, else personal advice if asked, else None."""
        doc = self.corrected(doc)
        return self.emergency(doc) or self.advice(doc)

    def corrected(self, doc: Doc) -> Doc:
        """The message with the listed misspellings corrected (the same doc if none)."""
        if self._misspelt is None or not self._misspelt.search(doc.text):
            return doc
        fixed = self._misspelt.sub(lambda m: self.spellings[m.group(0).lower()], doc.text)
        return self.nlp(fixed)

    def emergency(self, doc: Doc) -> Finding | None:
        """A serious symptom someone has now, not denied, asked about or imagined."""
        cues: Dict[str, List[int]] = {}
        for key, start, _ in self.cues.find(doc):
            cues.setdefault(key, []).append(start)
        now, person = bool(cues.get("now")), bool(cues.get("person"))
        general = bool(cues.get("general_question"))
        question = doc.text.rstrip().endswith("?")
        for key, start, end in self.symptoms.find(doc):
            if self._negated(doc, start, end):
                continue
            owned = any(start - NEGATION_WINDOW <= p < end for p in cues.get("person", []))
            if now or owned:
                counts = now or not self._hypothetical(doc, start, cues.get("hypothetical", []))
            elif self._hypothetical(doc, start, cues.get("hypothetical", [])) or general:
                counts = False
            else:
                # No sign either way: a description counts, a bare question does not.
                counts = person or not question
            if counts:
                return Finding(EMERGENCY, key, doc[start:end].text)
        return None

    def advice(self, doc: Doc) -> Finding | None:
        for key, start, end in self.personal.find(doc):
            return Finding(ADVICE, key, doc[start:end].text)
        age = _AGE.search(doc.text)
        if age:
            return Finding(ADVICE, "advice:age", age.group(0))
        named = _NAMED_CONDITION.search(doc.text)
        if named and named.group(2).lower() not in _NOT_CONDITIONS:
            return Finding(ADVICE, "advice:condition", named.group(0))
        return None

    def _negated(self, doc: Doc, start: int, end: int) -> bool:
        """A denial just before the symptom or inside it ("throat isn't swollen")."""
        return any(self._denies(t) for t in doc[max(0, start - NEGATION_WINDOW) : end])

    def _denies(self, token: Token) -> bool:
        """A negation that denies, not one that says someone cannot ("can't", "won't")."""
        if token.lower_ not in self.negations:
            return False
        before = token.nbor(-1).lower_ if token.i > 0 else ""
        after = token.nbor(1).lower_ if token.i + 1 < len(token.doc) else ""
        return before not in INABILITY_BEFORE and after not in INABILITY_AFTER

    @staticmethod
    def _hypothetical(doc: Doc, start: int, cue_starts: Sequence[int]) -> bool:
        for cue in cue_starts:
            if start - HYPOTHETICAL_WINDOW <= cue < start and not any(
                t.text in SENTENCE_END for t in doc[cue:start]
            ):
                return True
        return False


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
        finding = rules.decide(doc)
        forged = message.get(FORGED_PAYLOAD_KEY)
        if forged and (finding is None or finding.intent != EMERGENCY):
            # A payload the visitor typed (components/payload_guard.py) steers nothing: it
            # is answered as a message not understood, unless its words are an emergency.
            finding = Finding(FALLBACK, "forged_payload", forged)
        if finding is None or (current == EMERGENCY and finding.intent != FALLBACK):
            return  # nothing found, or the classifier already found an emergency
        if finding.intent == ADVICE and current not in ADVICE_OVERRIDABLE:
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
        intent = {INTENT_NAME_KEY: finding.intent, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [
            r
            for r in message.get(INTENT_RANKING_KEY) or []
            if r.get(INTENT_NAME_KEY) != finding.intent
        ]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
        logger.debug("safety guard: %s -> %s (rule %s)", current, finding.intent, finding.rule)
