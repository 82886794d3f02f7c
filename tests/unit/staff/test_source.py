"""The source text, sentence by sentence, and the ranking of the sentences that support a
piece of text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from staff import source
from tests.support.project import ROOT

TEXT = (ROOT / source.SOURCE).read_text(encoding="utf-8")


def test_every_sentence_is_a_piece_of_the_text_and_headings_are_left_out() -> None:
    sentences = source.sentences(ROOT)
    assert len(sentences) > 25
    assert all(sentence in TEXT for sentence in sentences)
    # Headings say nothing by themselves; list items lose their "- ".
    assert "Possible Side Effects" not in sentences
    assert "Consultation" not in sentences
    assert "Headaches" in sentences
    assert not any(sentence.startswith("- ") for sentence in sentences)
    # A paragraph is split into its sentences.
    assert "Serious complications are rare but can occur." in sentences
    risks = "It\u2019s essential to discuss these risks with your dermatologist during the "
    assert risks + "consultation." in sentences


def test_every_sentence_the_reviews_cite_is_a_sentence_of_the_source() -> None:
    reviews = yaml.safe_load((ROOT / "content" / "claims.yml").read_text())["responses"]
    cited = {
        claim["source"] for review in reviews.values() for claim in review.get("claims") or []
    }
    assert cited
    assert cited <= set(source.sentences(ROOT))


def test_the_supporting_sentence_of_a_claim_comes_first() -> None:
    best = source.supporting("How long do the results last? Three to six months.", 3, ROOT)
    assert best[0].startswith("Results from Botox treatments are often visible")
    assert len(best) == 3
    who = source.supporting("A certified dermatologist administers the injections.", 1, ROOT)
    assert who == [
        "During a Botox treatment for acne scars, a certified dermatologist administers the "
        "injections into specific areas of the face where scars are present."
    ]


def test_nothing_supports_text_without_a_content_word() -> None:
    assert source.supporting("the and of it is", 3, ROOT) == []
    assert source.words("What is it and why?") == frozenset()


def test_word_forms_match_and_words_the_source_never_uses_weigh_most() -> None:
    assert source.words("scars") == source.words("scar")
    assert source.words("consultation") == source.words("consulting")
    assert source.words("It\u2019s") == source.words("It's")
    results = "Results from Botox treatments are often visible within a few days and can last "
    results += "from three to six months, depending on individual factors."
    # Every word of the answer is in the sentence (the sums of weights agree to rounding).
    assert source.score("Results last from three to six months.", results, ROOT) == pytest.approx(
        1.0
    )
    # "pregnant", "women", "safe" are nowhere in the source: little support.
    assert source.score("Botox is safe for pregnant women.", results, ROOT) < 0.2


def test_the_sentences_are_read_again_when_the_text_changes(tmp_path: Path) -> None:
    (tmp_path / source.SOURCE).parent.mkdir(parents=True)
    path = tmp_path / source.SOURCE
    path.write_text("Title\nFirst sentence here. Second one.\n", encoding="utf-8")
    assert source.sentences(tmp_path) == ["First sentence here.", "Second one."]
    path.write_text("Title\n- Only an item\nA new paragraph!\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert source.sentences(tmp_path) == ["Only an item", "A new paragraph!"]
