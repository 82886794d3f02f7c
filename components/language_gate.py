"""The language gate: a message in another language gets a reply in that language.

The assistant answers in English only. Read as English, a message in Spanish or Polish gets
whatever English answer its few shared words point to, with full confidence, and an
emergency described in German gets no emergency number. The gate finds such messages and
sets the intent ``other_language`` with the entity ``language`` (ISO 639-1, "es", "pl", ...),
which fills the slot ``language``: ``utter_other_language`` has a variation in each reply
language (domain.yml), each with the emergency line, and an English one for the rest.

Two opinions decide, so that short or mixed English is never taken for another language
("ok", "botox?", "Maria Gonzalez", "danke, and how long does it last?"):

- a language-identification library, lingua-language-detector (its models ship inside its
  wheel; nothing is downloaded), in its low-accuracy mode with all the languages of
  ``languages`` preloaded (about 2 MiB a language, a few hundredths of a millisecond a
  message), which names the most likely language and its confidence;
- the share of the message's words that are English: words of an English dictionary (the
  lemma tables of ``spacy-lookups-data``), English function words, and every word of the
  English training examples (so "botox", "jabs" and typos count), minus the most common
  function words of the reply languages ("el", "la", "de", "het"). Capitalised words that do
  not start a sentence (names, places; not "I" or "I'm"), the words of ``neutral_words``
  and English chat shorthand (``CHAT_SHORTHAND``: "sry wat", "thx") count for neither.

A message is in another language when it has at least ``min_words`` counted words, lingua
names a language other than English with at least ``min_confidence``, and at most
``max_english_share`` of its words are English; a message mostly in another script
(Cyrillic, Arabic, Chinese, ...) is one whatever its length. Lingua cannot tell the
language of two or three words (it reads names as Polish or Italian), so a message of two
to four words is also one when it is made of one reply language's marker words
(``SHORT_MESSAGE_MARKERS``: "¿duele mucho?", "Olá, bom dia", "ile to kosztuje") and has no
other English word; courtesy words alone ("gracias", "ciao") are not enough, and a single
word only when English speakers do not write it alone (``SINGLE_WORD_MARKERS``: "Bonjour",
"¿Duele?", "Hoi"; not "hola"). When the classifier took a
message for ``other_language`` and the gate does not agree (a single foreign word such as
"hola"), the message becomes ``nlu_fallback``: the visitor is asked to rephrase, never given
the other-language reply for English. What the gate found is in the parse data under
``language_gate``. It runs before the safety guard, which still turns a described emergency
into emergency guidance.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Text, Tuple, Type, Union

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.intent_classifier import PARSE_KEY as CLASSIFIER_KEY
from components.intents import override_intent
from components.word_list import load_words, save_words
from nlp.words import ENGLISH_FUNCTION_WORDS, Vocabulary, dictionary_words

logger = logging.getLogger(__name__)

OTHER_LANGUAGE = "other_language"
LANGUAGE_ENTITY = "language"
PARSE_KEY = "language_gate"
WORDS_FILE = "english_words.txt"

#: A word: letters only, in any script, with inner apostrophes ("don't", "l'effet").
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")

#: The most common function words of the reply languages that English dictionaries also
#: list ("la" is a musical note, "de" an abbreviation): never counted as English.
FOREIGN_FUNCTION_WORDS = (
    frozenset(
        """
    el la los las del al lo le les un una unos unas que y en por con para es son mi tu su
    sus se muy pero como cuando donde qué cómo hola gracias si sí usted ustedes está
    le la les des du et est une pour avec pas je tu il elle nous vous ils mon ma mes ne ce
    cette qui sur dans au aux très bonjour merci oui non
    der die das den dem des und ist nicht ich du er sie es wir ihr mein meine ein eine einen
    mit für zu auf bei nach von wie was wann ja nein danke bitte hallo
    il lo gli di che non ho mi mio mia per con sono della delle nel ciao grazie sì molto
    o os as do da dos das que um uma para com não eu meu minha é são obrigado obrigada olá
    w z na nie się jest mam po do jak czy ale tak dzień dobry dziękuję
    de het een en van niet ik mijn met voor op te dat zijn heb hoe wat ja nee bedankt
    """.split()
    )
    - ENGLISH_FUNCTION_WORDS
)

#: Words that mark a short message as written in one of the reply languages: greetings,
#: the words of the commonest short questions ("¿duele mucho?", "quanto custa", "ile to
#: kosztuje") and of this treatment. A message of two to four words is in language L when
#: at least half of its words are L's, the rest are no English words, and one of L's is no
#: English word either ("to" and "do" are Polish too): "Olá, bom dia" is Portuguese, "to
#: do" English.
SHORT_MESSAGE_MARKERS: Dict[str, FrozenSet[str]] = {
    code: frozenset(words.split())
    for code, words in {
        "es": """hola buenas buenos días dias tardes noches duele mucho cuánto cuanto cuesta
            precio cicatrices qué que cómo como está puedo quiero tengo cita granos acné""",
        "fr": """bonjour bonsoir ça fait mal combien coûte coute prix cicatrices est-ce
            c'est je j'ai voudrais rendez-vous boutons acné""",
        "de": """hallo guten tag morgen abend wie viel kostet tut weh narben ich möchte
            termin akne aknenarben""",
        "it": """buongiorno buonasera salve quanto costa fa male prezzo cicatrici vorrei
            appuntamento acne""",
        "pt": """olá ola bom boa dia tarde quanto custa dói doi preço cicatrizes quero tenho
            consulta acne""",
        "pl": """cześć dzień dobry ile to kosztuje boli czy blizny zabieg chcę wizyta trądzik""",
        "nl": """hoi hallo goedemorgen goedemiddag hoeveel kost het doet pijn littekens wil
            graag afspraak acne""",
    }.items()
}
#: Single words that are a whole message in one reply language and that English speakers do
#: not write alone: a greeting ("Bonjour", "Hoi", "Cześć") or the commonest one-word question
#: ("¿Duele?", "Dói?", "Boli?"). Not "hola", "ciao", "salut" or "merci": English speakers
#: write them too, and a single word of them is asked to be rephrased.
SINGLE_WORD_MARKERS: Dict[str, FrozenSet[str]] = {
    code: frozenset(words.split())
    for code, words in {
        "es": "duele buenas",
        "fr": "bonjour bonsoir coucou",
        "de": "moin servus",
        "it": "buongiorno buonasera",
        "pt": "olá dói",
        "pl": "cześć czesc boli",
        "nl": "hoi goedemorgen goedemiddag goedenavond",
    }.items()
}
#: English chat shorthand, which no dictionary lists ("sry", "thx m8", "idk tbh"): it counts
#: for neither language, like a name, so "sry wat" is one word, too little to tell. Not
#: "wat", "ya" or "um", which are Dutch, Spanish and Portuguese words.
CHAT_SHORTHAND = frozenset(
    """sry srry soz wot wut wha pls plz plss thx thnx tnx ty tyvm ur urs kk okk lol lmao
    omg idk idc tbh btw bc cuz coz cos wdym wtf nvm np rn imo imho yeah yea yep yup nah nope
    gonna wanna gotta dunno hmm hmmm mm umm uh huh ppl m8 b4 gr8 2day tmrw tmr tho thru abt
    smth sth pic pics msg txt asap fyi jk ngl bruh""".split()
)
#: Courtesy words many English speakers use too ("gracias!", "merci beaucoup", "ciao"): a
#: short message of them alone stays English.
COURTESY_WORDS = frozenset(
    """gracias muchas merci beaucoup danke schön schon grazie mille obrigado obrigada
    dziękuję bedankt dank adios adiós ciao tschüss revoir au""".split()
)

#: The languages whose replies domain.yml has (the slot `language` picks the variation).
DEFAULT_LANGUAGES = [
    "en", "es", "fr", "de", "it", "pt", "pl", "nl",
    # More languages, so that a message in one of them is not taken for its nearest
    # neighbour among the reply languages (it gets the reply for other languages).
    "sv", "da", "nb", "fi", "ro", "cs", "hu", "tr", "ru", "uk", "el", "ar", "zh", "ja", "ko",
]  # fmt: skip


#: The rows of a keyboard: a word made of a run of one ("qwe", "asdf") is typing, not a language.
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_VOWELS = set("aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿąęóœ")
_CONSONANT_RUN = re.compile(r"[^aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿąęóœ]{5,}")


def plausible(word: str) -> bool:
    """A word that could belong to a language: it has a vowel, no letter three times in a
    row, no five consonants in a row, and is not a run of keys ("asdkjh", "zzz", "qwe")."""
    lower = word.lower()
    if not any(c in _VOWELS for c in lower) or re.search(r"(.)\1\1", lower):
        return False
    if _CONSONANT_RUN.search(lower):
        return False
    return not (len(lower) >= 3 and any(lower in row for row in KEYBOARD_ROWS))


def words_of(text: str) -> List[str]:
    """The words of a text, in their own case."""
    return _WORD.findall(text)


def is_latin(char: str) -> bool:
    """A letter of the Latin script (with or without accents)."""
    return "LATIN" in unicodedata.name(char, "")


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
        for index, match in enumerate(_WORD.finditer(text)):
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


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LanguageGate(GraphComponent, IntentClassifier):
    """Messages in another language become ``other_language`` (see module doc)."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """None: it reads the text. It stands after the classifier in config.yml, whose
        guess it checks (a trainable component cannot require another in Rasa's graph)."""
        return []

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """The languages lingua tells apart, and the decision's bounds (module doc)."""
        return {
            "languages": DEFAULT_LANGUAGES,
            "min_words": 3,
            "min_confidence": 0.5,
            "max_english_share": 0.5,
            "neutral_words": ["botox", "botulinum", "tox", "acne", "ok", "okay"],
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        english: Optional[FrozenSet[str]] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        words = english or self.english_words([])
        self.rules = LanguageRules(
            build_detector(list(self.config["languages"])),
            Vocabulary(words),
            self.config["neutral_words"],
            int(self.config["min_words"]),
            float(self.config["min_confidence"]),
            float(self.config["max_english_share"]),
        )

    @staticmethod
    def english_words(texts: Iterable[str]) -> FrozenSet[str]:
        """The English vocabulary: dictionary and function words and the words of
        ``texts`` (the English training examples), less the foreign function words."""
        own = {w.lower() for text in texts for w in words_of(text)}
        return frozenset((dictionary_words() | own) - FOREIGN_FUNCTION_WORDS) | (
            ENGLISH_FUNCTION_WORDS
        )

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageGate:
        """A gate with the dictionary's words only, until it is trained."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Add the words of the English training examples to the vocabulary."""
        texts = [
            e.get(TEXT)
            for e in training_data.intent_examples
            if e.get(TEXT) and e.get(INTENT) != OTHER_LANGUAGE
        ]
        words = self.english_words(texts)
        self.rules.english = Vocabulary(words)
        save_words(self._model_storage, self._resource, WORDS_FILE, words)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageGate:
        """The trained gate (its vocabulary from the model)."""
        words = load_words(model_storage, resource, WORDS_FILE)
        return cls(config, model_storage, resource, words)

    def process(self, messages: List[Message]) -> List[Message]:
        """Set ``other_language`` and the language entity where the gate says so."""
        for message in messages:
            self._check(message)
        return messages

    def _check(self, message: Message) -> None:
        text = message.get(TEXT)
        if not text or text.strip().startswith("/"):
            return  # a button payload
        verdict = self.rules.judge(text)
        current = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        # The classifier's own best label, also when the fallback took its place.
        label = (message.get(CLASSIFIER_KEY) or {}).get("label")
        classifier_says = OTHER_LANGUAGE in (current, label)
        if verdict.language is None and classifier_says:
            second = self.rules.second_opinion(text)
            if second is not None:
                verdict = Verdict(second, verdict.confidence, verdict.words, verdict.english_share)
        if verdict.language is None and current != OTHER_LANGUAGE:
            return
        message.set(PARSE_KEY, verdict.as_dict(), add_to_output=True)
        if verdict.language is None:
            # The classifier's guess, not the gate's: ask to rephrase rather than answer an
            # English message as another language.
            override_intent(message, DEFAULT_NLU_FALLBACK_INTENT_NAME)
            return
        override_intent(message, OTHER_LANGUAGE)
        entity = {
            ENTITY_ATTRIBUTE_TYPE: LANGUAGE_ENTITY,
            ENTITY_ATTRIBUTE_VALUE: verdict.language,
            ENTITY_ATTRIBUTE_START: 0,
            ENTITY_ATTRIBUTE_END: len(text),
            EXTRACTOR: type(self).__name__,
        }
        message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
