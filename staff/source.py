"""The source text the assistant's answers must stay true to, sentence by sentence.

Every medical claim of an answer is checked against a sentence of
``content/botox-for-acne-scars.txt`` (``content/claims.yml`` records which).
This module splits that text into its sentences, exactly as they are written (so a
sentence is always found in the text again), and ranks them by how well they support a
piece of text: the share of its content words, stop words left out and simple plural and
verb endings folded, that the sentence also has.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Tuple

ROOT = Path(__file__).resolve().parent.parent
#: The source text, relative to a project's folder.
SOURCE = Path("content") / "botox-for-acne-scars.txt"

#: Words that say nothing about the content: left out of the overlap.
STOP_WORDS: FrozenSet[str] = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just let me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves may might must shall us one ones get gets
    often such like well s t don doesn isn aren wasn weren won wouldn
    """.split()
)

#: Endings folded by :func:`stem`, longest first: plurals, verb forms and the common
#: noun and adjective endings ("consultation"/"consulting", "suitable"/"suitability").
ENDINGS = (
    "ability", "ibility", "ations", "ation", "ments", "ment", "ings", "ing", "able", "ible",
    "ies", "ied", "ly", "ed", "es", "s",
)  # fmt: skip

#: A sentence ends at . ! or ? followed by a space and a capital letter or a digit.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\u201c\"\u2018'])")
_WORD = re.compile(r"[a-z0-9]+")
#: Typographic apostrophes and quotes, read as their plain forms when comparing words.
_PLAIN = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def split_sentences(text: str) -> List[str]:
    """The sentences of one paragraph, each an exact piece of ``text``."""
    return [part.strip() for part in _SENTENCE_END.split(text.strip()) if part.strip()]


def parse(text: str) -> List[str]:
    """The sentences of a source text.

    A line that starts with "- " is a list item, a line that ends with . ! ? or : is a
    paragraph; both are split into sentences. Any other line is a heading ("Consultation",
    "Possible Side Effects") and says nothing by itself, so it is left out.
    """
    found: List[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("- "):
            found += split_sentences(line[2:])
        elif line.endswith((".", "!", "?", ":")):
            found += split_sentences(line)
    return found


@lru_cache(maxsize=8)
def _cached(text: str) -> Tuple[str, ...]:
    return tuple(parse(text))


def sentences(root: Path = ROOT) -> List[str]:
    """The sentences of the project's source text.

    Raises:
        FileNotFoundError: the project has no source text.
    """
    return list(_cached((root / SOURCE).read_text(encoding="utf-8")))


def stem(word: str) -> str:
    """A word with its plural or verb ending folded ("scars" -> "scar", "helping" ->
    "help"), enough to match the forms an answer and the source use."""
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]  # "reduce"/"reduc(ing)", "improve"/"improv(ing)"
    return word


def words(text: str) -> FrozenSet[str]:
    """The content words of ``text``: lower-cased, stop words out, endings folded."""
    plain = text.translate(_PLAIN).lower().replace("'", " ")
    return frozenset(stem(w) for w in _WORD.findall(plain) if w not in STOP_WORDS)


def weights(root: Path = ROOT) -> Dict[str, float]:
    """How much each content word says, from the source's sentences: a word in few of them
    ("collagen") says more than one in many ("botox"); a word the source never uses
    ("pregnant") weighs most, as it is the surest sign of a claim the source does not
    make. The weight is log(1 + N / n), N sentences of which n have the word (n = 0.5
    for a word the source never uses)."""
    return dict(_weights((root / SOURCE).read_text(encoding="utf-8")))


@lru_cache(maxsize=8)
def _weights(text: str) -> Tuple[Tuple[str, float], ...]:
    found = [words(sentence) for sentence in _cached(text)]
    counts: Dict[str, int] = {}
    for sentence_words in found:
        for word in sentence_words:
            counts[word] = counts.get(word, 0) + 1
    return tuple((word, math.log(1 + len(found) / n)) for word, n in counts.items())


def score(text: str, sentence: str, root: Path = ROOT) -> float:
    """How well ``sentence`` supports ``text``, from 0 to 1: the weighted share of the
    text's content words that the sentence has too (see :func:`weights`)."""
    wanted = words(text)
    if not wanted:
        return 0.0
    weight = weights(root)
    sentences_count = len(sentences(root))
    unknown = math.log(1 + sentences_count / 0.5)
    total = sum(weight.get(word, unknown) for word in wanted)
    shared = sum(weight.get(word, unknown) for word in wanted & words(sentence))
    return shared / total


def ranked(text: str, root: Path = ROOT) -> List[Tuple[str, float]]:
    """Every source sentence that shares a content word with ``text``, best first."""
    scored = [(sentence, score(text, sentence, root)) for sentence in sentences(root)]
    # A stable sort keeps the source's order between sentences of the same score.
    return sorted((pair for pair in scored if pair[1] > 0), key=lambda pair: -pair[1])


def supporting(text: str, n: int = 3, root: Path = ROOT) -> List[str]:
    """The ``n`` source sentences that best support ``text``, best first (fewer when
    fewer share a word with it)."""
    return [sentence for sentence, _ in ranked(text, root)[:n]]
