"""What the assistant answered: a reply's text matched to the response it came from.

The responses are read from the project's own files (``domain.yml`` and every ``responses:``
of ``data/``), so a simulated visitor's turn can be checked for the right kind of answer
(a refusal for a personal question, an FAQ answer for a general one) whatever the clinic's
details are: ``{clinic_name}`` and the other placeholders match any text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Pattern, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The text with every run of white space as one space, trimmed."""
    return _SPACE.sub(" ", text).strip()


def template_pattern(template: str) -> Pattern[str]:
    """A pattern that matches the template filled with any values."""
    pieces = _PLACEHOLDER.split(normalise(template))
    return re.compile(".+?".join(re.escape(piece) for piece in pieces), re.DOTALL)


def responses_of(document: Dict[str, Any]) -> Iterable[Tuple[str, str]]:
    """(response name, text) of every text variation of a domain or training data file."""
    for name, variations in (document.get("responses") or {}).items():
        for variation in variations or []:
            if isinstance(variation, dict) and isinstance(variation.get("text"), str):
                yield name, variation["text"]


@dataclass(frozen=True)
class AnswerBook:
    """The assistant's responses, to tell which one a reply is."""

    patterns: Tuple[Tuple[str, Pattern[str]], ...]

    @classmethod
    def from_texts(cls, texts: Iterable[Tuple[str, str]]) -> AnswerBook:
        return cls(tuple((name, template_pattern(text)) for name, text in texts))

    @classmethod
    def of_project(cls, root: Path = ROOT) -> AnswerBook:
        """The responses of ``domain.yml`` and of the training data under ``data/``."""
        files = [root / "domain.yml", *sorted((root / "data").rglob("*.yml"))]
        texts: List[Tuple[str, str]] = []
        for path in files:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
            if isinstance(document, dict):
                texts.extend(responses_of(document))
        return cls.from_texts(texts)

    def classify(self, text: str) -> Optional[str]:
        """The name of the response ``text`` is, or None if it is none of them."""
        wanted = normalise(text)
        for name, pattern in self.patterns:
            if pattern.fullmatch(wanted):
                return name
        return None
