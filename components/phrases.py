"""Phrases staff write, matched in any form of their words: the guards' matcher.

A phrase is words separated by spaces, matched without regard to capitals; content words
match in any form ("Drooping" and "droops" both match "droop", by the lemma of the
lower-cased word), small words only as written ("I had it" does not match "I have it"), and
"*" stands for up to three other words. Used by the safety guard (data/safety/) and the
scope guard (data/scope/).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Tuple

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

#: The spaCy token attribute the guard matches content words on. Before matching, each
#: token's NORM is set to the lemma of its lower-cased text (spaCy's own LEMMA is left as
#: the pipeline made it: Rasa's featurisers read it). A native attribute, compared in
#: spaCy's compiled matcher, costs a small fraction of a custom ``Token._`` getter, which
#: spaCy calls in Python for every token and pattern: that was 4 ms of each message.
MATCH_ATTR = "NORM"

WILDCARD_SPAN = 3
#: Spellings of a word that mean the same to the guard.
EQUIVALENT = {
    "ca": {"ca", "can"},
    "n't": {"n't", "nt", "not"},
    "won't": {"won't", "wont"},
    "wo": {"wo", "will"},
    "i'm": {"i'm", "im"},
}
#: Words that match only as written: "I had it" must not match "I have it", and "fainted"
#: must not match "a faint bruise".
FUNCTION_WORDS = frozenset(
    (
        "i me my we our us he she his her him they them their it its you your a an the this "
        "that these those of in on at to for with from by and or but if is am are was were be "
        "been being had has have having do does did done can could will would shall should "
        "might may must not no what which who when where how since ago got get gotten help "
        "fainted fainting collapsed collapsing"
    ).split()
)


def lemma_lookup(nlp: Language) -> Any:
    """The lookup lemmatiser's table of the project's pipeline (empty if it has none)."""
    if "lemmatizer" not in nlp.pipe_names:
        return {}
    lemmatizer: Any = nlp.get_pipe("lemmatizer")
    return lemmatizer.lookups.get_table("lemma_lookup", {})


def one_of(values: Iterable[str]) -> Any:
    """A token-attribute value: the word itself when there is one (compared natively by
    spaCy's matcher), else ``{"IN": [...]}`` (a predicate spaCy checks in Python)."""
    ordered = sorted(set(values))
    return ordered[0] if len(ordered) == 1 else {"IN": ordered}


class PhraseMatcher:
    """spaCy Matcher for phrases in any form of their words, with "*" for a few words.

    Content words match by lemma of the lower-cased token ("Drooping" and "droops" both
    match "droop"); small words ("had", "my", "not") match as written, so "I had it" does
    not match "I have it".
    """

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.matcher = Matcher(nlp.vocab)
        self.table = lemma_lookup(nlp)

    def token_pattern(self, word: str) -> Dict[str, Any]:
        """How one word of a phrase matches a token."""
        forms = {word} | EQUIVALENT.get(word, set())
        if word in FUNCTION_WORDS or word in EQUIVALENT or not word.isalpha():
            return {"LOWER": one_of(forms)}
        return {MATCH_ATTR: one_of({self.table.get(w, w) for w in forms})}

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
