"""The project's spaCy pipeline: built from packages and the staff-readable patterns."""

from __future__ import annotations

from pathlib import Path

import spacy

from nlp.build_pipeline import build, load_patterns, main


def test_patterns_cover_the_four_labels() -> None:
    labels = {p["label"] for p in load_patterns()}
    assert labels == {"scar_type", "treatment", "symptom", "body_area"}


def test_the_pipeline_lemmatises_and_finds_entities() -> None:
    nlp = build(load_patterns())
    doc = nlp("My mum has double vision and swollen lips after Botox for ice pick scars")

    assert [(e.text, e.label_) for e in doc.ents] == [
        ("double vision", "symptom"),
        ("swollen", "symptom"),
        ("lips", "body_area"),
        ("Botox", "treatment"),
        ("ice pick scars", "scar_type"),
    ]
    assert [t.lemma_ for t in nlp("scars injections")] == ["scar", "injection"]


def test_the_built_pipeline_loads_from_its_folder(tmp_path: Path) -> None:
    output = tmp_path / "en_clinic"
    main(["build_pipeline.py", str(output)])

    nlp = spacy.load(output)

    assert nlp.pipe_names == ["lemmatizer", "entity_ruler"]
    assert [e.label_ for e in nlp("Can't swallow since my fillers").ents] == [
        "symptom",
        "treatment",
    ]
