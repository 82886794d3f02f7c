"""The language gate: a message in another language gets the reply in that language; short
or mixed English is never taken for another language."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.language_gate import (
    FOREIGN_FUNCTION_WORDS,
    LanguageGate,
    LanguageRules,
    plausible,
)


@pytest.fixture(scope="module")
def gate() -> Iterator[LanguageGate]:
    """A gate trained on a few English examples (the vocabulary is the dictionary's)."""
    storage = LocalModelStorage(Path(__file__).parent / "unused")  # never written below
    yield LanguageGate(LanguageGate.get_default_config(), storage, Resource("gate"))


@pytest.fixture(scope="module")
def rules(gate: LanguageGate) -> LanguageRules:
    return gate.rules


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


def test_keyboard_mash_is_not_a_word() -> None:
    assert [plausible(w) for w in ("asdkjh", "zzz", "qwe", "schwellung", "przełykać")] == [
        False, False, False, True, True,
    ]  # fmt: skip


def test_common_foreign_function_words_are_never_english(gate: LanguageGate) -> None:
    assert {"el", "la", "het", "und"} <= FOREIGN_FUNCTION_WORDS
    english = gate.rules.english
    assert not any(word in english for word in ("el", "la", "het", "und"))
    assert all(word in english for word in ("the", "how", "swallow", "dermatologist"))


def message(text: str, intent: str) -> Message:
    msg = Message(data={"text": text})
    msg.set("intent", {"name": intent, "confidence": 0.9}, add_to_output=True)
    msg.set("intent_ranking", [{"name": intent, "confidence": 0.9}], add_to_output=True)
    msg.set("entities", [], add_to_output=True)
    return msg


def test_another_language_becomes_other_language_with_its_code(gate: LanguageGate) -> None:
    msg = gate.process([message("¿Cuánto cuesta el tratamiento de las cicatrices?", "faq")])[0]

    assert msg.get("intent") == {"name": "other_language", "confidence": 1.0}
    assert msg.get("intent_ranking")[0]["name"] == "other_language"
    assert msg.get("entities") == [
        {"entity": "language", "value": "es", "start": 0, "end": 48, "extractor": "LanguageGate"}
    ]
    assert msg.get("language_gate")["language"] == "es"


def test_english_taken_for_another_language_by_the_classifier_is_asked_again(
    gate: LanguageGate,
) -> None:
    msg = gate.process([message("hola", "other_language")])[0]
    assert msg.get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
    assert msg.get("entities") == []


def test_english_is_left_as_the_classifier_read_it(gate: LanguageGate) -> None:
    msg = gate.process([message("how long does it last", "faq")])[0]
    assert msg.get("intent") == {"name": "faq", "confidence": 0.9}
    assert msg.get("language_gate") is None


def test_button_payloads_are_left_alone(gate: LanguageGate) -> None:
    msg = gate.process([message("/affirm", "affirm")])[0]
    assert msg.get("intent")["name"] == "affirm"


def test_the_training_examples_words_join_the_vocabulary(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("gate")
    context = ExecutionContext(graph_schema=None, node_name="gate")
    examples: List[Dict[str, Any]] = [
        {"text": "wots the dermo's fee", "intent": "faq"},
        {"text": "cuanto cuesta", "intent": "other_language"},
    ]
    data = TrainingData([Message(data=e) for e in examples])
    LanguageGate.create({}, storage, resource, context).train(data)

    loaded = LanguageGate.load({}, storage, resource, context)

    assert "wots" in loaded.rules.english and "dermo's" in loaded.rules.english
    assert "cuesta" not in loaded.rules.english


def unsure(text: str, label: str) -> Message:
    """A message the fallback took, the classifier's own best label kept beside it."""
    msg = message(text, "nlu_fallback")
    msg.set("intent_classifier", {"label": label, "confidence": 0.55}, add_to_output=True)
    return msg


def test_the_classifiers_other_language_with_lingua_sure_is_another_language(
    gate: LanguageGate,
) -> None:
    # German nouns are capitalised and counted as names, leaving "was" and "gegen": the
    # share rule alone says English.
    text = "Was kostet Botox gegen Aknenarben?"
    assert gate.rules.judge(text).language is None
    msg = gate.process([unsure(text, "other_language")])[0]
    assert msg.get("intent")["name"] == "other_language"
    assert msg.get("language_gate")["language"] == "de"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("ciao, thanks!", "other_language"),  # too short for a second opinion
        ("Was kostet Botox gegen Aknenarben?", "faq/cost"),  # the classifier did not say so
    ],
)
def test_no_second_opinion_without_the_classifier_or_enough_words(
    gate: LanguageGate, text: str, label: str
) -> None:
    msg = gate.process([unsure(text, label)])[0]
    assert msg.get("intent")["name"] == "nlu_fallback"
