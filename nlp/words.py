"""English words: the small words that carry no topic, and an English dictionary.

The dictionary tables of ``spacy-lookups-data`` list content words only; the language gate
(components/language_gate.py) counts the function words below as English too, and the staff
app's grouping of unanswered questions (staff/unanswered.py) leaves them out when it
compares meanings. The dictionary itself (``dictionary_words``, held as a ``Vocabulary``)
tells the language gate what is English and the scope guard (components/scope_guard.py)
which unfamiliar words are real words of another subject rather than typos.
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, Iterable

import numpy as np
import spacy_lookups_data

#: English function words, and the short words of chat (pls, thx, u).
ENGLISH_FUNCTION_WORDS = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each few for from further had hadn't has hasn't have
    haven't having he he'd he'll he's her here here's hers herself him himself his how how's
    i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my
    myself no nor not of off on once only or other ought our ours ourselves out over own same
    shan't she she'd she'll she's should shouldn't so some such than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've this
    those through to too under until up very was wasn't we we'd we'll we're we've were weren't
    what what's when when's where where's which while who who's whom why why's with won't
    would wouldn't you you'd you'll you're you've your yours yourself yourselves
    yes yeah yep nope ok okay hi hello hey thanks thank please pls plz thx ty u ur r im ive
    dont cant wont didnt doesnt isnt wasnt arent whats thats theres hows wanna gonna gotta
    lol omg btw also just really much many any anyone anything someone something everyone
    go oh ah uh um hm mm so us be am an as at by do if in is it of on or to up ex tv id ad pm mr
    ms dr st vs eg ie uk hr ha
    """.split()
)


def dictionary_words() -> FrozenSet[str]:
    """English words from spacy-lookups-data's lemma tables (no download)."""
    folder = Path(spacy_lookups_data.__file__).resolve().parent / "data"
    found: set = set()
    with gzip.open(folder / "en_lemma_index.json.gz", "rt", encoding="utf-8") as file:
        for words in json.load(file).values():
            found.update(words)
    with gzip.open(folder / "en_lemma_lookup.json.gz", "rt", encoding="utf-8") as file:
        for form, lemma in json.load(file).items():
            found.update((form, lemma))
    # Two-letter entries are mostly abbreviations ("co", "sa", "de"); the English ones are
    # among the function words.
    return frozenset(w.lower() for w in found if w.isalpha() and len(w) > 2)


class Vocabulary:
    """A set of words held as a sorted array of their hashes: about 1 MiB for the 114,000
    words of English the gate knows, where a set of strings takes 23 MiB. Built in the
    process that uses it (Python's string hashes differ from one process to another)."""

    def __init__(self, words: Iterable[str]) -> None:
        self._hashes = np.unique(np.fromiter((hash(w) for w in words), dtype=np.int64))

    def __contains__(self, word: object) -> bool:
        key = hash(word)
        at = int(np.searchsorted(self._hashes, key))
        return at < len(self._hashes) and int(self._hashes[at]) == key

    def __len__(self) -> int:
        return len(self._hashes)


@lru_cache(maxsize=1)
def dictionary() -> Vocabulary:
    """The English dictionary as a ``Vocabulary`` (read once a process, about 1 MiB)."""
    return Vocabulary(dictionary_words())
