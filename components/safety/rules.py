"""The safety guard's rules: what one message is, read with the project's spaCy pipeline
and the patterns of ``data/safety/`` (:mod:`components.safety.patterns`), independent of
Rasa. A message is an emergency when it describes a serious symptom that someone has now or
after a treatment, and personal advice when it asks about the writer's own case, or about
dose and injection technique.

A symptom is found by a listed phrase ("can't swallow") or by a symptom word and a body part
or function in the same sentence, in either order, a few words apart ("swelling in my
throat", "my throat, it's swelling"). It does not count when it is denied ("no trouble
breathing"), imagined or asked about in general ("what if I get double vision?", "could
botox make my throat swell?"), in the past and apart from the treatment ("years ago I got
hives"), or gone ("it settled down within an hour"), unless the message says it is
happening now or getting worse. A reading (``Reading``) also says whether every symptom the
message names was so discounted, which lets the guard take back an emergency the classifier
found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Token

from components.phrases import PhraseMatcher
from components.safety.patterns import GuardPatterns

EMERGENCY = "report_emergency_symptom"
ADVICE = "request_medical_advice"
#: Findings that say only that a question is in the first person: a more specific family
#: found beside them ("should I stop my retinol": medication) is the finding.
GENERAL_WORDING_RULES = {"advice:own_case", "advice:own_treatment"}
#: The finding that asks for the treatment in the writer's case ("can I have it if I've got
#: a cold sore?"): the first choice among the findings of a message.
OFF_TOPIC_RULES = {"advice:asks_for_it"}
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
