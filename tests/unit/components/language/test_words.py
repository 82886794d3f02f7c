"""The words the language gate counts: what could be a word, and the English vocabulary."""

from __future__ import annotations

from components.language.words import FOREIGN_FUNCTION_WORDS, english_words, plausible
from nlp.words import Vocabulary


def test_keyboard_mash_is_not_a_word() -> None:
    assert [plausible(w) for w in ("asdkjh", "zzz", "qwe", "schwellung", "przełykać")] == [
        False, False, False, True, True,
    ]  # fmt: skip


def test_common_foreign_function_words_are_never_english() -> None:
    assert {"el", "la", "het", "und"} <= FOREIGN_FUNCTION_WORDS
    english = Vocabulary(english_words([]))  # the vocabulary of a gate not yet trained
    assert not any(word in english for word in ("el", "la", "het", "und"))
    assert all(word in english for word in ("the", "how", "swallow", "dermatologist"))
