"""The words the language gate counts, independent of Rasa.

What a word is (``WORD``, ``words_of``); whether it could belong to a language at all
(``plausible``: not "asdkjh" or "zzz"); the English vocabulary (``english_words``: words of
an English dictionary, the lemma tables of ``spacy-lookups-data``, English function words
and every word of the English training examples, minus the most common function words of
the reply languages); and the word lists of the reply languages: the marker words that tell
a short message's language, and the courtesy words and English chat shorthand that tell
nothing.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Dict, FrozenSet, Iterable, List

from nlp.words import ENGLISH_FUNCTION_WORDS, dictionary_words

#: A word: letters only, in any script, with inner apostrophes ("don't", "l'effet").
WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")

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
    return WORD.findall(text)


def is_latin(char: str) -> bool:
    """A letter of the Latin script (with or without accents)."""
    return "LATIN" in unicodedata.name(char, "")


def english_words(texts: Iterable[str]) -> FrozenSet[str]:
    """The English vocabulary: dictionary and function words and the words of
    ``texts`` (the English training examples), less the foreign function words."""
    own = {w.lower() for text in texts for w in words_of(text)}
    return frozenset((dictionary_words() | own) - FOREIGN_FUNCTION_WORDS) | (
        ENGLISH_FUNCTION_WORDS
    )
