"""Build the project's spaCy pipeline, which Rasa's ``SpacyNLP`` loads by path.

No model is downloaded: the pipeline is blank English, the lookup lemmatiser from the
``spacy-lookups-data`` package, and an EntityRuler whose patterns come from
``nlp/entities.yml``. The same packages and patterns give the same pipeline.

Usage: ``python nlp/build_pipeline.py [OUTPUT_DIR]`` (default ``nlp/build/en_clinic``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List

import spacy
import yaml
from spacy.language import Language

HERE = Path(__file__).resolve().parent
PATTERNS = HERE / "entities.yml"
DEFAULT_OUTPUT = HERE / "build" / "en_clinic"


def load_patterns(path: Path = PATTERNS) -> List[Dict[str, str]]:
    """Phrase patterns for the EntityRuler, one per listed phrase."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    patterns: List[Dict[str, str]] = []
    for label, phrases in data.items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise SystemExit(f"{path}: '{label}' must be a list of phrases")
        patterns.extend({"label": str(label), "pattern": p} for p in phrases)
    return patterns


def build(patterns: List[Dict[str, str]]) -> Language:
    """Blank English with a lookup lemmatiser and the entity ruler."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    nlp.initialize()  # loads the lemma tables from spacy-lookups-data
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    nlp.meta.update(
        {
            "name": "clinic",
            "version": "1.0.0",
            "description": "Blank English, lookup lemmatiser, clinic entity ruler",
        }
    )
    return nlp


def main(argv: List[str]) -> None:
    output = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUTPUT
    nlp = build(load_patterns())
    output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    print(f"spaCy pipeline written to {output} ({len(nlp.pipe_names)} components)")


if __name__ == "__main__":
    main(sys.argv)
