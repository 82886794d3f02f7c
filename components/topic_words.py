"""The words of the assistant's topics, learnt at training, and a message's unfamiliar words.

Two guards read a message for words the assistant's topics never use: the scope guard
(components/scope_guard.py), for whom several of them and no word of acne scars mean
another subject, and the coverage guard (components/coverage_guard.py), for whom one of
them in a question the classifier answers without much confidence means something the
source text does not cover. Both learn the words at training, from the source text and the
training examples of the intents they count as the assistant's own, and keep them in the
model (components/word_list.py).

An unfamiliar word is a word of an English dictionary (nlp/words.py) that is neither a
familiar word nor one of its forms: typos are no dictionary words, so a question in new
spelling stays familiar.
"""

from __future__ import annotations

from pathlib import Path
from typing import AbstractSet, Iterable, List, Set

from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.language import Language
from spacy.tokens import Doc

from nlp.words import ENGLISH_FUNCTION_WORDS, Vocabulary, dictionary

#: The approved source text, whose words are the assistant's own.
SOURCE_FILE = Path(__file__).resolve().parent.parent / "content" / "botox-for-acne-scars.txt"
#: The shortest word that counts (shorter ones are mostly abbreviations and chat).
MIN_LENGTH = 3


def words_of(doc: Doc) -> Iterable[str]:
    """The forms of ``doc``'s words that count as known: each word and its lemma, in
    lower case."""
    for token in doc:
        yield token.lower_
        yield token.lemma_.lower()


def learn(
    training_data: TrainingData, nlp: Language, source: Path, leave_out: AbstractSet[str]
) -> Set[str]:
    """The words of the source text and of the training examples of every intent but those
    of ``leave_out``."""
    known = set(words_of(nlp(source.read_text(encoding="utf-8"))))
    for example in training_data.intent_examples:
        if example.get(INTENT) in leave_out or not example.get(TEXT):
            continue
        known.update(words_of(example.get(SPACY_DOCS[TEXT]) or nlp(example.get(TEXT))))
    return known


def unfamiliar(doc: Doc, known: Vocabulary, skip_names: bool = False) -> List[str]:
    """The dictionary words of ``doc`` that are not in ``known``, in order.

    ``skip_names``: leave out capitalised words after the first, which in a question are
    mostly names of people and places ("I'm from Rotterdam, does it hurt?"), saying who
    and where the writer is rather than what they ask.
    """
    english = dictionary()
    found: List[str] = []
    for token in doc:
        lower, lemma = token.lower_, token.lemma_.lower()
        if not token.is_alpha or len(lower) < MIN_LENGTH or token.is_stop:
            continue
        if lower in ENGLISH_FUNCTION_WORDS or lower in known or lemma in known:
            continue
        if skip_names and token.i > 0 and token.text[:1].isupper():
            continue
        if lower in english or lemma in english:
            found.append(token.text)
    return found
