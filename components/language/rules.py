"""The language gate's rules: which other language a text is in, if any, independent of
Rasa.

Two opinions decide, so that short or mixed English is never taken for another language
("ok", "botox?", "Maria Gonzalez", "danke, and how long does it last?"):

- a language-identification library, lingua-language-detector (its models ship inside its
  wheel; nothing is downloaded), in its low-accuracy mode with all the languages of
  ``languages`` preloaded (``build_detector``: about 2 MiB a language, a few hundredths of
  a millisecond a message), which names the most likely language and its confidence;
- the share of the message's words that are English: words of the English vocabulary
  (:mod:`components.language.words`: an English dictionary, English function words and
  every word of the English training examples, so "botox", "jabs" and typos count, minus
  the most common function words of the reply languages: "el", "la", "de", "het").
  Capitalised words that do not start a sentence (names, places; not "I" or "I'm"), the
  neutral words (the gate's ``neutral_words``) and English chat shorthand
  (``CHAT_SHORTHAND``: "sry wat", "thx") count for neither.

A message is in another language when it has at least ``min_words`` counted words, lingua
names a language other than English with at least ``min_confidence``, and at most
``max_english_share`` of its words are English; a message mostly in another script
(Cyrillic, Arabic, Chinese, ...) is one whatever its length. Lingua cannot tell the
language of two or three words (it reads names as Polish or Italian), so a message of two
to four words is also one when it is made of one reply language's marker words
(``SHORT_MESSAGE_MARKERS``: "¿duele mucho?", "Olá, bom dia", "ile to kosztuje") and has no
other English word; courtesy words alone ("gracias", "ciao") are not enough, and a single
word only when English speakers do not write it alone (``SINGLE_WORD_MARKERS``: "Bonjour",
"¿Duele?", "Hoi"; not "hola"). When the classifier too took a message for another
language, ``second_opinion`` lets lingua, when it is sure, outweigh the share of English
words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder
from rasa.shared.exceptions import InvalidConfigException

from components.language.words import (
    CHAT_SHORTHAND,
    COURTESY_WORDS,
    SHORT_MESSAGE_MARKERS,
    SINGLE_WORD_MARKERS,
    WORD,
    is_latin,
    plausible,
    words_of,
)
from nlp.words import ENGLISH_FUNCTION_WORDS, Vocabulary


@dataclass(frozen=True)
class Verdict:
    """What the gate found in one message."""

    language: Optional[str]
    confidence: float
    words: int
    english_share: float

    def as_dict(self) -> Dict[str, Any]:
        """For the parse data."""
        return {
            "language": self.language,
            "confidence": round(self.confidence, 3),
            "words": self.words,
            "english_share": round(self.english_share, 3),
        }


#: Up to this many words, a message with an English word in it is English.
SHORT_MESSAGE_WORDS = 3
#: How sure lingua must be to overrule the share of English words when the classifier too
#: took the message for another language.
SECOND_OPINION_CONFIDENCE = 0.9
#: Up to this many words, marker words alone may tell the language (SHORT_MESSAGE_MARKERS).
SHORT_MESSAGE_MARKER_WORDS = 4


class LanguageRules:
    """The gate's decision for one text, independent of Rasa."""

    def __init__(
        self,
        detector: LanguageDetector,
        english: Union[Vocabulary, Iterable[str]],
        neutral: Iterable[str],
        min_words: int,
        min_confidence: float,
        max_english_share: float,
    ) -> None:
        self.detector = detector
        self.english = english if isinstance(english, Vocabulary) else Vocabulary(english)
        self.neutral = frozenset(w.lower() for w in neutral)
        self.min_words = min_words
        self.min_confidence = min_confidence
        self.max_english_share = max_english_share

    def counted_words(self, text: str) -> List[str]:
        """The lower-cased words that count: not names, neutral words or chat shorthand."""
        counted = []
        for index, match in enumerate(WORD.finditer(text)):
            word = match.group(0)
            before = text[: match.start()].rstrip()
            sentence_start = index == 0 or before[-1:] in (".", "!", "?", ":")
            lower = word.lower()
            if word[0].isupper() and not sentence_start and lower not in ENGLISH_FUNCTION_WORDS:
                continue  # a name or a place ("Maria", "Kraków"), a German noun
            if lower not in self.neutral and lower not in CHAT_SHORTHAND:
                counted.append(lower)
        return counted

    def english_share(self, words: List[str]) -> float:
        """The share of ``words`` that are English (words with accents never are). Single
        letters count for neither: "a", "n" and "c" are English, French and chat alike
        ("je n arrive plus a avaler")."""
        words = [w for w in words if len(w) > 1]
        if not words:
            return 1.0
        english = sum(1 for w in words if w.isascii() and w in self.english)
        return english / len(words)

    def second_opinion(self, text: str) -> Optional[str]:
        """The language of a message the classifier took for another language, when lingua
        is sure of it (``SECOND_OPINION_CONFIDENCE``) and the message has at least three
        counted words, not all of them English: a second opinion for messages the share
        rule leaves English ("je n arrive plus a avaler, c est grave?")."""
        words = self.counted_words(text)
        values = self.detector.compute_language_confidence_values(text)
        if len(words) < 3 or not values or self.english_share(words) >= 1.0:
            return None
        code = values[0].language.iso_code_639_1.name.lower()
        if code == "en" or values[0].value < SECOND_OPINION_CONFIDENCE:
            return None
        return code if sum(map(plausible, words)) * 2 > len(words) else None

    def judge(self, text: str) -> Verdict:
        """Which other language ``text`` is in, if any (``language`` None: English or too
        little to tell)."""
        letters = [c for c in text if c.isalpha()]
        values = self.detector.compute_language_confidence_values(text)
        best = values[0] if values else None
        code = best.language.iso_code_639_1.name.lower() if best else None
        confidence = float(best.value) if best else 0.0
        if len(letters) >= 2 and sum(not is_latin(c) for c in letters) * 2 > len(letters):
            # Another script: another language whatever the length.
            language = code if code and code != "en" else "other"
            return Verdict(language, confidence, len(words_of(text)), 0.0)
        words = self.counted_words(text)
        share = self.english_share(words)
        foreign = (
            code is not None
            and code != "en"
            and sum(map(plausible, words)) * 2 > len(words)
            and (
                # Enough words, most of them not English (none in a short message:
                # "cheers, au revoir" is English), and lingua fairly sure; ...
                (
                    len(words) >= self.min_words
                    and confidence >= self.min_confidence
                    and share <= self.max_english_share
                    and (share == 0 or len(words) > SHORT_MESSAGE_WORDS)
                )
                # ... or lingua less sure but no more than one word in five English; ...
                or (
                    len(words) >= self.min_words + 1
                    and confidence >= self.min_confidence / 2
                    and share <= 0.2
                )
                # ... or two words, neither English, and lingua sure ("buenas tardes").
                or (len(words) == 2 and confidence >= 0.7 and share == 0)
            )
        )
        if not foreign:
            short = self.short_message_language(text, values)
            if short is not None:
                return Verdict(short, confidence, len(words), share)
        return Verdict(code if foreign else None, confidence, len(words), share)

    def short_message_language(self, text: str, values: List[Any]) -> Optional[str]:
        """The reply language a message of one word (``SINGLE_WORD_MARKERS``) or of two to
        four words (``SHORT_MESSAGE_MARKERS``) is in by its marker words, if one; lingua's
        ranking breaks a tie."""
        words = [w.lower() for w in words_of(text) if w.lower() not in self.neutral]
        if len(words) == 1:
            return next((c for c, m in SINGLE_WORD_MARKERS.items() if words[0] in m), None)
        if not 2 <= len(words) <= SHORT_MESSAGE_MARKER_WORDS:
            return None
        ranking = [v.language.iso_code_639_1.name.lower() for v in values]
        best: Optional[Tuple[int, int, str]] = None
        for code, markers in SHORT_MESSAGE_MARKERS.items():
            own = [w for w in words if w in markers]
            others = [w for w in words if w not in markers]
            distinctive = [w for w in own if w not in self.english and w not in COURTESY_WORDS]
            if (
                len(own) * 2 < len(words)
                or not distinctive
                or any(w.isascii() and w in self.english for w in others)
            ):
                continue
            rank = ranking.index(code) if code in ranking else len(ranking)
            candidate = (-len(own), rank, code)
            best = candidate if best is None or candidate < best else best
        return best[2] if best else None


def build_detector(codes: List[str]) -> LanguageDetector:
    """lingua's detector for ``codes`` (ISO 639-1), low-accuracy mode, models preloaded."""
    try:
        languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in codes]
    except AttributeError as error:
        raise InvalidConfigException(f"language_gate: unknown language code in {codes}") from error
    if Language.ENGLISH not in languages:
        raise InvalidConfigException("language_gate: `languages` must include 'en'")
    return (
        LanguageDetectorBuilder.from_languages(*languages)
        .with_low_accuracy_mode()
        .with_preloaded_language_models()
        .build()
    )
