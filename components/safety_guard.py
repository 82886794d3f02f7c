"""The safety guard: a second, rule-based opinion on emergencies and personal advice.

The intent classifier is trained on examples; the guard reads the message with the
project's spaCy pipeline and the staff-readable patterns in ``data/safety/``. When it finds
a serious symptom that someone has now or after a treatment, it sets the intent to
``report_emergency_symptom``; when it finds a question about the writer's own case, or about
dose and injection technique, it sets ``request_medical_advice``.

A symptom is found by a listed phrase ("can't swallow") or by a symptom word and a body part
or function in the same sentence, in either order, a few words apart ("swelling in my
throat", "my throat, it's swelling"). It does not count when it is denied ("no trouble
breathing"), imagined or asked about in general ("what if I get double vision?", "could
botox make my throat swell?"), in the past and apart from the treatment ("years ago I got
hives"), or gone ("it settled down within an hour"), unless the message says it is
happening now or getting worse.

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
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

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
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from spacy.language import Language
from spacy.tokens import Doc, Token

from components.intents import override_intent
from components.payload_guard import PARSE_KEY as FORGED_PAYLOAD_KEY
from components.phrases import PhraseMatcher
from components.scope_guard import PARSE_KEY as SCOPE_GUARD_KEY

logger = logging.getLogger(__name__)

DEFAULT_PATTERNS_DIR = Path(__file__).resolve().parent.parent / "data" / "safety"
EMERGENCY = "report_emergency_symptom"
ADVICE = "request_medical_advice"
#: Intents the guard may turn into personal advice. An off-topic question, a greeting, a
#: booking request or a "yes" that mentions a medicine is answered as what it is.
FALLBACK = DEFAULT_NLU_FALLBACK_INTENT_NAME
ADVICE_OVERRIDABLE = {"faq", FALLBACK, ADVICE, "not_covered"}
#: A question the source text does not answer, asked in the first person ("should I avoid
#: the sun after?"), is still a general question: only these findings make it personal.
NOT_COVERED = "not_covered"
GENERAL_WORDING_RULES = {"advice:own_case", "advice:own_treatment"}
#: A message the classifier took for off topic that asks for the treatment in the writer's
#: case ("can I have it if I've got a cold sore?"), or asks about the writer's own case with
#: a word of this treatment or a visit for it (``visit`` in advice.yml: "I'm on antibiotics,
#: can I still come in on Thursday?"), is refused, unless the scope guard found another
#: subject in it (components/scope_guard.py). When the scope guard turned the
#: classifier's personal advice into off topic, a personal question the guard finds is
#: refused again; a dose question about another subject stays off topic ("which needle
#: size for knitting a scarf?").
OFF_TOPIC = "out_of_scope"
OFF_TOPIC_RULES = {"advice:asks_for_it"}
DOSE_RULE = "advice:dose"
#: Entity ruler labels recorded beside a finding.
REVIEW_ENTITIES = {"symptom", "body_area", "treatment"}
PARSE_KEY = "safety_guard"
#: How many tokens before a symptom a negation or a hypothetical cue may stand.
NEGATION_WINDOW = 3
#: How far a denial reaches over a list of what it denies ("not having any swelling or
#: breathing problems", "no rash, itching or trouble swallowing"): across "or" and "nor".
LISTED_NEGATION_WINDOW = 7
LIST_WORDS = frozenset({"or", "nor"})
#: Words that make a "not ... or ..." a doubt, not a list denied ("not sure if it's my
#: throat or my tongue swelling").
HEDGES = frozenset({"sure", "know", "certain", "whether", "if", "idea", "tell", "think"})
HYPOTHETICAL_WINDOW = 6
SENTENCE_END = {".", "!", "?", ";"}
#: A negation after these words, or before these, says someone cannot do something
#: ("can't swallow", "won't open", "not able to breathe"): a symptom, not a denial.
INABILITY_BEFORE = {"ca", "can", "cannot", "wo", "will", "could", "couldn't"}
INABILITY_AFTER = {"able", "can"}
#: A condition named after a person: "I have Hashimoto's", "diagnosed with Crohn's".
_NAMED_CONDITION = re.compile(
    r"\b(i have|i've got|i suffer from|diagnosed with|she has|he has)\s+([a-z]+)(?:'|\u2019)s\b",
    re.IGNORECASE,
)
_NOT_CONDITIONS = {"today", "tomorrow", "yesterday", "monday", "friday", "everyone", "it"}
_AGE = re.compile(
    r"\b(i'?m|i am|she'?s|he'?s|she is|he is)\s+(1[0-9]|[2-9][0-9])\b", re.IGNORECASE
)
#: The symptoms a mild word before them makes a common side effect.
MILD_GROUPS = frozenset({"emergency:swelling", "emergency:face_swelling"})
#: Words that open a question when they come first in a message, with or without a
#: question mark ("does your face swell up after", "is difficulty swallowing a known
#: reaction"). Modal verbs are below: they ask only when no denial or "barely" follows.
QUESTION_WORDS = frozenset("how what why when which who whats hows is are does do".split())
#: Modal verbs that open a question when they come first ("can botox give you ...").
MODAL_OPENERS = frozenset("can could will would might may should".split())
#: Words after a modal verb that make it a description ("could barely swallow").
DESCRIBING_AFTER = frozenset("barely hardly only just really still no never n't not".split())
#: Punctuation that ends what a negation before it can deny ("not sure, throat closing").
CLAUSE_END = SENTENCE_END | {",", ":", "-", "\u2013", "\u2014"}
#: "help" after these is a verb someone is asked about ("would the clinic be able to help?",
#: "can you help"), not a cry for help: it does not say the symptom is happening now.
HELP_ASKED_AFTER = frozenset(
    {"to", "you", "u", "they", "clinic", "staff", "can", "could", "would", "will"}
)
#: Words after "going down" that say where a symptom goes, not that it has gone.
SPREADING_AFTER = frozenset({"my", "his", "her", "their", "your", "towards", "into", "onto"})
#: Words that, shortly before a "now" cue, deny the present rather than describe it.
DENYING_NOW = frozenset({"nothing", "no", "none", "nope"})
#: Words after which a framing cue ("reckons", "worst case") no longer frames the sentence.
CONTRAST = frozenset({"but", "though", "although", "however", "yet"})
#: "You" meaning anyone, just before an owner word: "can you have it if you're on
#: antidepressants?" asks in general.
GENERIC_YOU = frozenset({"you", "u", "ya"})
#: How many words before an owner word a generic "you" may stand ("if you're still on").
GENERIC_YOU_WINDOW = 3
#: Words that keep a symptom given another cause: it is happening now whatever the cause.
STRONG_NOW = frozenset({"now", "currently", "suddenly", "worse", "help"})
#: Words in capitals ("CANT", "SWALLOW"): a message with several is read in lower case.
_SHOUTED = re.compile(r"\b[A-Z]{2,}\b")
#: Three or more of one letter stand for one ("heeelp", "pleeease", "sooo").
_REPEATED_LETTER = re.compile(r"([a-z])\1{2,}", re.IGNORECASE)
#: Words that open a question about what could happen ("could botox make my throat
#: swell?", "is it normal to see double?"): a symptom in such a sentence counts only when
#: the message says it is happening now.
QUESTION_OPENERS = frozenset("can could would will might may does do did is are what how".split())


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
class Combination:
    """A symptom word and a body part or function that together make a symptom."""

    symptom: List[str]
    body: List[str]


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
    combinations: Dict[str, Combination] = field(default_factory=dict)
    window: int = 6
    not_symptoms: List[str] = field(default_factory=list)
    past: List[str] = field(default_factory=list)
    other_cause: List[str] = field(default_factory=list)
    resolved: List[str] = field(default_factory=list)
    worse: List[str] = field(default_factory=list)
    needs_whose: List[str] = field(default_factory=list)
    whose: List[str] = field(default_factory=list)
    general: List[str] = field(default_factory=list)
    groups: List[str] = field(default_factory=list)
    owner_words: List[str] = field(default_factory=list)
    fine: List[str] = field(default_factory=list)
    mild: List[str] = field(default_factory=list)
    dose_always: List[str] = field(default_factory=list)
    dose_about_treatment: List[str] = field(default_factory=list)
    treatment: List[str] = field(default_factory=list)
    visit: List[str] = field(default_factory=list)
    framing: List[str] = field(default_factory=list)

    @classmethod
    def load(cls, folder: Path) -> GuardPatterns:
        """Read ``emergency.yml`` and ``advice.yml`` from ``folder``."""
        emergency = _read_yaml(folder / "emergency.yml")
        advice = _read_yaml(folder / "advice.yml")
        symptoms = emergency.get("symptoms") or {}
        personal = advice.get("personal") or {}
        combinations = emergency.get("combinations") or {}
        groups = combinations.get("groups") or {}
        dose = advice.get("dose") or {}
        needs_whose = _phrases(advice.get("needs_whose", []), "needs_whose")
        unknown = sorted(set(needs_whose) - set(personal))
        if unknown:
            raise ValueError(f"needs_whose names families that personal has not: {unknown}")
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
            combinations={
                name: Combination(
                    _phrases((g or {}).get("symptom"), f"combinations: {name}: symptom"),
                    _phrases((g or {}).get("body"), f"combinations: {name}: body"),
                )
                for name, g in groups.items()
            },
            window=int(combinations.get("window", 6)),
            not_symptoms=_phrases(emergency.get("not_symptoms", []), "not_symptoms"),
            past=_phrases(emergency.get("past", []), "past"),
            other_cause=_phrases(emergency.get("other_cause", []), "other_cause"),
            resolved=_phrases(emergency.get("resolved", []), "resolved"),
            worse=_phrases(emergency.get("worse", []), "worse"),
            needs_whose=needs_whose,
            whose=_phrases(advice.get("whose", []), "whose"),
            general=_phrases(advice.get("general", []), "general"),
            groups=_phrases(advice.get("groups", []), "groups"),
            owner_words=_phrases(advice.get("owner_words", []), "owner_words"),
            fine=_phrases(emergency.get("fine", []), "fine"),
            mild=_phrases(emergency.get("mild", []), "mild"),
            dose_always=_phrases(dose.get("always", []), "dose: always"),
            dose_about_treatment=_phrases(
                dose.get("about_treatment", []), "dose: about_treatment"
            ),
            treatment=_phrases(advice.get("treatment", []), "treatment"),
            visit=_phrases(advice.get("visit", []), "visit"),
            framing=_phrases(emergency.get("framing", []), "framing"),
        )


@dataclass(frozen=True)
class Finding:
    """What the guard found in one message."""

    intent: str
    rule: str
    matched: str


@dataclass(frozen=True)
class Reading:
    """The guard's reading of one message.

    Attributes:
        finding: what the message is, if the guard can tell (else None).
        symptoms_discounted: symptoms were named, and every one of them was denied, past
            or gone ("no swelling", "years ago I got hives", "it settled down"), so the
            message is not an emergency whatever the classifier thought.
    """

    finding: Optional[Finding]
    symptoms_discounted: bool = False


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
        self.symptoms = PhraseMatcher(nlp)
        for group, phrases in patterns.symptoms.items():
            self.symptoms.add(f"emergency:{group}", phrases)
        self.window = patterns.window
        self.combinations = PhraseMatcher(nlp)
        for name, combination in patterns.combinations.items():
            self.combinations.add(f"symptom:{name}", combination.symptom)
            self.combinations.add(f"body:{name}", combination.body)
        self.cues = PhraseMatcher(nlp)
        for key, phrases in (
            ("general_question", patterns.general_question),
            ("hypothetical", patterns.hypothetical),
            ("framing", patterns.framing),
            ("person", patterns.person),
            ("now", patterns.now),
            ("not_symptom", patterns.not_symptoms),
            ("past", patterns.past),
            ("other_cause", patterns.other_cause),
            ("resolved", patterns.resolved),
            ("worse", patterns.worse),
            ("mild", patterns.mild),
        ):
            if phrases:
                self.cues.add(key, phrases)
        self.negations = {w.lower() for w in patterns.negations} | {"nt"}
        #: After a modal verb first, these make a description, not a question.
        self.describing_after = self.negations | DESCRIBING_AFTER
        self.personal = PhraseMatcher(nlp)
        for group, phrases in patterns.personal.items():
            self.personal.add(f"advice:{group}", phrases)
        self.needs_whose = {f"advice:{family}" for family in patterns.needs_whose}
        self.whose = {w.lower() for w in patterns.whose}
        self.owner_words = {w.lower() for w in patterns.owner_words}
        self.groups = PhraseMatcher(nlp)
        if patterns.groups:
            self.groups.add("group", patterns.groups)
        self.fine = PhraseMatcher(nlp)
        if patterns.fine:
            self.fine.add("fine", patterns.fine)
        self.bodies = PhraseMatcher(nlp)
        bodies = sorted({b for c in patterns.combinations.values() for b in c.body})
        if bodies:
            self.bodies.add("body", bodies)
        self.in_general = PhraseMatcher(nlp)
        if patterns.general:
            self.in_general.add("general", patterns.general)
        self.dose = PhraseMatcher(nlp)
        if patterns.dose_always:
            self.dose.add("always", patterns.dose_always)
        if patterns.dose_about_treatment:
            self.dose.add("about_treatment", patterns.dose_about_treatment)
        self.treatment = PhraseMatcher(nlp)
        if patterns.treatment:
            self.treatment.add("treatment", patterns.treatment)
        self.visit = PhraseMatcher(nlp)
        if patterns.visit:
            self.visit.add("visit", patterns.visit)

    def decide(self, doc: Doc) -> Finding | None:
        """An emergency if one is described, else personal advice if asked, else None."""
        return self.read(doc).finding

    def read(self, doc: Doc) -> Reading:
        """What the message is, and whether the symptoms it names were all discounted."""
        doc = self.corrected(doc)
        finding, discounted = self.emergency(doc)
        if finding:
            return Reading(finding)
        return Reading(self.advice(doc), discounted)

    def corrected(self, doc: Doc) -> Doc:
        """The message with repeated letters ("heeelp") and the listed misspellings
        corrected (the same doc if nothing changed)."""
        text = _REPEATED_LETTER.sub(r"\1", doc.text)
        if len(_SHOUTED.findall(text)) >= 2:
            text = text.lower()  # "I CANT BREATHE": spaCy reads contractions in lower case
        if self._misspelt is not None:
            text = self._misspelt.sub(lambda m: self.spellings[m.group(0).lower()], text)
        return doc if text == doc.text else self.nlp(text)

    def mentions(self, doc: Doc) -> List[Tuple[str, int, int, int]]:
        """Each symptom named: (rule, start, end, where its symptom word starts).

        A listed phrase is one mention; a symptom word and a body part of the same group
        in one sentence, at most ``window`` words apart in either order, are another.
        """
        found = [(key, start, end, start) for key, start, end in self.symptoms.find(doc)]
        words: Dict[str, List[Tuple[int, int]]] = {}
        for key, start, end in self.combinations.find(doc):
            words.setdefault(key, []).append((start, end))
        for key, spans in words.items():
            kind, name = key.split(":", 1)
            if kind != "symptom":
                continue
            for s_start, s_end in spans:
                for b_start, b_end in words.get(f"body:{name}", []):
                    if s_start < b_end and b_start < s_end:
                        continue  # one word cannot be both
                    start, end = min(s_start, b_start), max(s_end, b_end)
                    gap = max(s_start, b_start) - min(s_end, b_end)
                    if gap > self.window or any(t.text in SENTENCE_END for t in doc[start:end]):
                        continue
                    found.append((f"emergency:{name}", start, end, s_start))
        return sorted(found, key=lambda m: (m[1], -(m[2] - m[1])))

    def emergency(self, doc: Doc) -> Tuple[Optional[Finding], bool]:
        """A serious symptom someone has now, not denied, asked about or imagined; and
        whether symptoms were named but every one denied, past or gone."""
        cues: Dict[str, List[Tuple[int, int]]] = {}
        for key, start, end in self.cues.find(doc):
            cues.setdefault(key, []).append((start, end))
        past_spans = cues.get("past", [])
        now_spans = [
            (s, e)
            for s, e in cues.get("now", [])
            if not any(ps <= s < pe for ps, pe in past_spans)
            and not (doc[s].lower_ == "help" and s > 0 and doc[s - 1].lower_ in HELP_ASKED_AFTER)
            # "nothing wrong now", "no problems at the moment": a denial of the present
            and not any(t.lower_ in DENYING_NOW for t in doc[max(0, s - 3) : s])
        ]
        now = bool(now_spans)
        person = bool(cues.get("person"))
        general = bool(cues.get("general_question"))
        # A question mark, or a question word first ("how swollen are you afterwards").
        words = [tok.lower_ for tok in doc if tok.is_alpha or tok.lower_ == "n't"][:2]
        first = words[0] if words else ""
        second = words[1] if len(words) > 1 else ""
        # A modal verb first asks ("can scar botox give you double vision"), unless a
        # denial or a "barely" follows it: "can not breathe", "could hardly swallow".
        modal = first in MODAL_OPENERS and second not in self.describing_after
        question = doc.text.rstrip().endswith("?") or first in QUESTION_WORDS or modal
        hypothetical_starts = [s for s, _ in cues.get("hypothetical", [])]
        framing_starts = [s for s, _ in cues.get("framing", [])]
        person_starts = [s for s, _ in cues.get("person", [])]
        named = discounted = 0
        for key, start, end, symptom_start in self.mentions(doc):
            if any(s < end and start < e for s, e in cues.get("not_symptom", [])):
                continue
            named += 1
            if self._denied(doc, key, start, end, symptom_start, cues, now_spans):
                discounted += 1
                continue
            owned = any(start - NEGATION_WINDOW <= p < end for p in person_starts)
            if now:
                counts = True
            elif self._asked(doc, start):
                counts = False
            elif owned:
                counts = not self._hypothetical(doc, start, hypothetical_starts, framing_starts)
            elif self._hypothetical(doc, start, hypothetical_starts, framing_starts) or general:
                counts = False
            else:
                # No sign either way: a description counts, a bare question does not.
                counts = person or not question
            if counts:
                return Finding(EMERGENCY, key, doc[start:end].text), False
        fine = self._functions_said_fine(doc)
        return None, (named + fine) > 0 and (discounted + fine) == (named + fine)

    def _denied(
        self,
        doc: Doc,
        key: str,
        start: int,
        end: int,
        symptom_start: int,
        cues: Dict[str, List[Tuple[int, int]]],
        now_spans: List[Tuple[int, int]],
    ) -> bool:
        """Denied ("no swelling"), in the past or from another cause and apart from now
        ("years ago", "because of a cold"), or gone since ("it settled down"), with nothing
        saying it is getting worse."""
        if symptom_start != start or end - start == 1:
            # A symptom word and a body part: a denial just before the symptom word
            # ("throat is not swelling"); the word itself may carry one ("vision not clear").
            # The denial may also stand before a body part named first ("not having any
            # breathing issues").
            negated = self._denial_before(doc, symptom_start) or (
                start < symptom_start and self._denial_before(doc, start)
            )
        else:
            negated = self._negated(doc, start, end)
        if negated:
            return True
        if key in MILD_GROUPS and any(
            symptom_start - 3 <= s < symptom_start for s, _ in cues.get("mild", [])
        ):
            return True  # "slight swelling": the common side effect
        first, last = self._sentence(doc, start)
        worse = cues.get("worse", [])
        if any(first <= s < last for s, _ in cues.get("past", [])) and not any(
            first <= s < last for s, _ in now_spans
        ):
            return not worse
        # Another cause ("because of a cold", "I forgot my glasses"): only "now" itself
        # keeps the symptom ("I have asthma and now I can't breathe since the botox").
        causes = [
            s for s, _ in cues.get("other_cause", []) if not self._cue_negated(doc, s)
        ]  # "I've never had asthma" names no other cause
        if any(first <= s < last for s in causes) and not any(
            doc[i].lower_ in STRONG_NOW for i in range(first, last)
        ):
            return not worse
        for r_start, r_end in cues.get("resolved", []):
            if (
                r_start >= end
                and not any(w >= r_start for w, _ in worse)
                and not self._cue_negated(doc, r_start, 2)
                and not self._spreading(doc, r_end)
            ):
                return True
        return False

    @staticmethod
    def _spreading(doc: Doc, end: int) -> bool:
        """A resolution word that says where something goes ("the weakness is going down
        my face", "went down into her neck"): it spreads, it has not gone."""
        return end < len(doc) and doc[end].lower_ in SPREADING_AFTER

    def _cue_negated(self, doc: Doc, start: int, window: int = 3) -> bool:
        """A negation just before a cue: a resolution denied ("it is not going away", "it
        won't go down", "hasn't settled") leaves the symptom there; another cause denied
        ("I've never had asthma", "I don't have hay fever") explains nothing."""
        return any(t.lower_ in self.negations for t in doc[max(0, start - window) : start])

    def _functions_said_fine(self, doc: Doc) -> int:
        """How many body parts or functions the message says are fine ("breathing fine",
        "my vision is normal"): each is a symptom denied."""
        fine_starts = [start for _, start, _ in self.fine.find(doc)]
        return sum(
            1
            for _, start, end in self.bodies.find(doc)
            if any(end <= f <= end + 2 for f in fine_starts)
        )

    @staticmethod
    def _sentence(doc: Doc, index: int) -> Tuple[int, int]:
        """The token range of the sentence around ``index`` (split on . ! ? ;)."""
        first = index
        while first > 0 and doc[first - 1].text not in SENTENCE_END:
            first -= 1
        last = index
        while last < len(doc) and doc[last].text not in SENTENCE_END:
            last += 1
        return first, min(len(doc), last + 1)

    def _asked(self, doc: Doc, start: int) -> bool:
        """The symptom is in a question that opens with a modal verb ("could botox make my
        throat swell?", "does it cause double vision?"), not in a description."""
        first, last = self._sentence(doc, start)
        words = [t for t in doc[first:last] if t.is_alpha or t.text in ("n't",)]
        if not words or doc[last - 1].text != "?":
            return False
        opener = words[0].lower_
        if (
            opener in ("so", "and", "but", "also", "ok", "okay", "hi", "hello", "hey")
            and len(words) > 1
        ):
            words = words[1:]
            opener = words[0].lower_
        if opener not in QUESTION_OPENERS or opener in ("is", "are", "what", "how"):
            return False
        # "can not breathe?" and "can't swallow?" describe, they do not ask.
        return not (len(words) > 1 and words[1].lower_ in self.negations) and words[0].i < start

    def advice(self, doc: Doc) -> Finding | None:
        """A question about someone's own case, or about dose and injection technique."""
        whose = any(t.lower_ in self.whose for t in doc) and not self.in_general.find(doc)
        general = bool(self.groups.find(doc)) or bool(self.in_general.find(doc))
        found: List[Finding] = []
        for key, start, end in self.personal.find(doc):
            if key in self.needs_whose and not whose:
                # No "I" or "my": personal only when the words themselves say so ("still on
                # roaccutane") and no group of people is named.
                owned = (
                    start > 0
                    and doc[start - 1].lower_ in self.owner_words
                    and not any(
                        t.lower_ in GENERIC_YOU
                        for t in doc[max(0, start - 1 - GENERIC_YOU_WINDOW) : start - 1]
                    )
                )
                if general or not owned:
                    continue
            found.append(Finding(ADVICE, key, doc[start:end].text))
        if found:
            # Asking for the treatment first (refused even in what reads as off topic),
            # then the most specific family: "should I stop my retinol" is medication, not
            # only a question in the first person.
            asks = [f for f in found if f.rule in OFF_TOPIC_RULES]
            specific = [f for f in found if f.rule not in GENERAL_WORDING_RULES]
            return (asks or specific or found)[0]
        dose = self.dose.find(doc)
        if dose and (any(key == "always" for key, _, _ in dose) or self.treatment.find(doc)):
            key, start, end = dose[0]
            return Finding(ADVICE, "advice:dose", doc[start:end].text)
        age = _AGE.search(doc.text)
        if age:
            return Finding(ADVICE, "advice:age", age.group(0))
        named = _NAMED_CONDITION.search(doc.text)
        if named and named.group(2).lower() not in _NOT_CONDITIONS:
            return Finding(ADVICE, "advice:condition", named.group(0))
        return None

    def about_a_visit(self, doc: Doc) -> bool:
        """The message names this treatment or a visit for it (``visit`` in advice.yml)."""
        return bool(self.visit.find(doc))

    def _negated(self, doc: Doc, start: int, end: int) -> bool:
        """A denial just before the symptom or inside it ("throat isn't swollen")."""
        return self._denial_before(doc, start) or any(self._denies(t) for t in doc[start:end])

    def _denial_before(self, doc: Doc, index: int) -> bool:
        """A denial in the ``NEGATION_WINDOW`` words before ``index`` (``LISTED_NEGATION_
        WINDOW`` when an "or" lists what it denies: "no swelling or breathing problems")
        with no full stop or "but" between it and ``index``, nor a comma unless in such a
        list: "not sure, throat closing up" and "he says it's nothing but I can't swallow"
        deny nothing."""
        for token in doc[max(0, index - LISTED_NEGATION_WINDOW) : index]:
            between = doc[token.i + 1 : index]
            listed = any(t.lower_ in LIST_WORDS for t in between) and not any(
                t.lower_ in HEDGES for t in between
            )
            if index - token.i > NEGATION_WINDOW and not listed:
                continue
            if self._denies(token) and not any(
                (t.text in CLAUSE_END and not (listed and t.text == ",")) or t.lower_ in CONTRAST
                for t in between
            ):
                return True
        return False

    def _denies(self, token: Token) -> bool:
        """A negation that denies, not one that says someone cannot ("can't", "won't")."""
        if token.lower_ not in self.negations:
            return False
        before = token.nbor(-1).lower_ if token.i > 0 else ""
        after = token.nbor(1).lower_ if token.i + 1 < len(token.doc) else ""
        return before not in INABILITY_BEFORE and after not in INABILITY_AFTER

    @staticmethod
    def _hypothetical(
        doc: Doc, start: int, cue_starts: Sequence[int], framing_starts: Sequence[int]
    ) -> bool:
        """A hypothetical cue shortly before the symptom, or a framing cue ("worst case",
        "hypothetically") anywhere before it in its sentence and not across a "but"."""

        def same_sentence(cue: int) -> bool:
            return cue < start and not any(t.text in SENTENCE_END for t in doc[cue:start])

        def framed(cue: int) -> bool:
            return same_sentence(cue) and not any(t.lower_ in CONTRAST for t in doc[cue:start])

        return any(
            start - HYPOTHETICAL_WINDOW <= cue and same_sentence(cue) for cue in cue_starts
        ) or any(framed(cue) for cue in framing_starts)


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
