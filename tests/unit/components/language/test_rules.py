"""The language gate's rules: a message in another language is told by its language; short or
mixed English is never taken for another language."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource

from components.language.rules import LanguageRules
from components.language_gate import LanguageGate


@pytest.fixture(scope="module")
def rules() -> LanguageRules:
    """The rules as the gate builds them from its default configuration, with the
    dictionary's vocabulary."""
    storage = LocalModelStorage(Path(__file__).parent / "unused")  # never written below
    return LanguageGate(LanguageGate.get_default_config(), storage, Resource("gate")).rules


def language(rules: LanguageRules, text: str) -> Optional[str]:
    return rules.judge(text).language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("¿Cuánto tiempo dura el efecto del botox en las cicatrices?", "es"),
        ("no puedo respirar bien desde la inyeccion", "es"),
        ("Est-ce que le traitement des cicatrices fait mal ?", "fr"),
        ("ma langue est gonflée depuis les injections", "fr"),
        ("Wie lange hält die Wirkung bei Aknenarben an?", "de"),
        ("ich kann seit der Behandlung kaum schlucken", "de"),
        ("Quanto costa il trattamento per le cicatrici da acne?", "it"),
        ("vedo doppio da ieri dopo il botox", "it"),
        ("Quanto tempo duram os resultados do botox nas cicatrizes?", "pt"),
        ("minha boca esta inchada depois da aplicação", "pt"),
        ("Ile kosztuje botoks na blizny potrądzikowe?", "pl"),
        ("nie mogę przełykać po zastrzyku", "pl"),
        ("Hoe lang blijft het resultaat van botox op littekens?", "nl"),
        ("mijn ooglid hangt sinds de behandeling", "nl"),
    ],
)
def test_each_reply_language_is_recognised(rules: LanguageRules, text: str, code: str) -> None:
    assert language(rules, text) == code


@pytest.mark.parametrize(
    "text",
    [
        "ok",
        "botox?",
        "yes pls",
        "Maria Gonzalez",
        "Jan Kowalski here",
        "danke, and how long does it last?",
        "cheers, au revoir",
        "merci, bye now",
        "is the procedure the same as in Mexico, my tia had it",
        "gracias for the info, does it hurt?",
        "I live in Kraków, do you have a clinic near Wrocław?",
        "hola",
        "how long do the results last",
        "wat is the price for the botox on scars pls",
        "my throat is closing up",
        "asdkjh qwepo zzz",
        "sry wat",  # English chat shorthand and one word
        "thx m8",
        "qwe rty uiop",
    ],
)
def test_short_mixed_english_and_noise_stay_english(rules: LanguageRules, text: str) -> None:
    assert language(rules, text) is None


def test_another_script_is_another_language_whatever_its_length(rules: LanguageRules) -> None:
    assert language(rules, "здравствуйте") == "ru"
    assert language(rules, "你好 多少钱") == "zh"


def test_two_foreign_words_are_enough_when_none_is_english(rules: LanguageRules) -> None:
    assert language(rules, "buenas tardes") == "es"
    assert language(rules, "dzień dobry") == "pl"


def test_three_foreign_words_are_enough_when_none_is_english(rules: LanguageRules) -> None:
    assert language(rules, "¿cuánto cuesta esto?") == "es"
    assert language(rules, "wie viel kostet") == "de"


@pytest.mark.parametrize(
    "text",
    [
        "Wat kost het?",
        "wat is de prijs van botox voor littekens",
        "wat doet botox precies",
        "Wat is botox eigenlijk precies?",
    ],
)
def test_dutch_wat_is_still_dutch_beside_other_dutch_words(
    rules: LanguageRules, text: str
) -> None:
    assert language(rules, text) == "nl"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("¿Duele mucho?", "es"),
        ("Ça fait mal ?", "fr"),
        ("Guten Tag", "de"),
        ("quanto costa", "it"),
        ("Olá, bom dia", "pt"),
        ("ile to kosztuje", "pl"),
        ("hoeveel kost het", "nl"),
    ],
)
def test_a_short_message_is_told_by_its_marker_words(
    rules: LanguageRules, text: str, code: str
) -> None:
    assert language(rules, text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("¿Duele?", "es"),
        ("Bonjour !", "fr"),
        ("Moin", "de"),
        ("Buongiorno", "it"),
        ("Dói?", "pt"),
        ("Cześć", "pl"),
        ("Hoi", "nl"),
    ],
)
def test_a_single_word_english_speakers_do_not_write_alone_is_foreign(
    rules: LanguageRules, text: str, code: str
) -> None:
    assert language(rules, text) == code


@pytest.mark.parametrize(
    "text",
    [
        "to do",  # Polish words, but English ones: no marker that is not English
        "how much",
        "hola",  # one word English speakers write alone too
        "ciao!",
        "merci",
        "bonjour, does it hurt?",  # a foreign greeting in an English message
        "Maria Gonzalez",
        "gracias amigo",  # courtesy words English speakers use too
        "muy bien thanks",  # an English word among them
    ],
)
def test_marker_words_never_make_english_or_a_single_word_foreign(
    rules: LanguageRules, text: str
) -> None:
    assert language(rules, text) is None


def test_single_letters_count_for_neither_language(rules: LanguageRules) -> None:
    assert rules.english_share(["je", "n", "arrive", "a", "c"]) == 0.5
    assert rules.english_share(["n"]) == 1.0  # nothing to count: English


def test_names_and_neutral_words_count_for_neither(rules: LanguageRules) -> None:
    assert rules.counted_words("Hi, I'm Ana Souza and I saw botox on TV in São Paulo") == [
        "hi", "i'm", "and", "i", "saw", "on", "tv", "in",
    ]  # fmt: skip
