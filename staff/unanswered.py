"""The questions the assistant could not answer, grouped when they ask the same thing.

The messages come from the tracker store
(:meth:`staff.conversations.ConversationStore.unanswered`):
those taken for a question the source text does not cover (``not_covered``) and those not
understood (``nlu_fallback``). Two messages ask the same thing when the words that carry
their meaning (not the small words, not "botox", "scars" or "injections", which nearly every
message has) are close in WordLlama's embeddings (:mod:`nlp.wordllama`): "can I drink alcohol
after", "is wine ok after the injections" and "how long before I can have a drink" are one
question. The most asked come first; each leads to adding an answer (a new topic) or to the
conversation, whose Teach form makes a message an example of an existing topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, List, Optional

import numpy as np

from nlp.words import ENGLISH_FUNCTION_WORDS
from staff.conversations import Asked

#: Two messages whose meaning words are at least this close (cosine) ask the same thing.
SAME_QUESTION = 0.3
#: Words nearly every message to this assistant has: they say nothing about the question.
DOMAIN_WORDS = frozenset(
    "botox tox botulinum toxin acne scar scars scarring injection injections injected jab "
    "jabs clinic".split()
)
_WORD = re.compile(r"[a-z][a-z']*")

#: The embedding of a text (WordLlama's, or a test's).
Embed = Callable[[str], np.ndarray]


def meaning_words(text: str) -> str:
    """The words of ``text`` that carry its meaning, lower-case, in order."""
    words = _WORD.findall(text.lower())
    return " ".join(w for w in words if w not in ENGLISH_FUNCTION_WORDS and w not in DOMAIN_WORDS)


@dataclass
class Question:
    """Messages that ask the same thing."""

    asked: List[Asked]
    centroid: np.ndarray = field(repr=False)

    @property
    def text(self) -> str:
        """The question as the latest visitor asked it."""
        return self.asked[0].text

    @property
    def count(self) -> int:
        return len(self.asked)

    @property
    def last(self) -> datetime:
        return max(a.time for a in self.asked)

    @property
    def not_understood(self) -> bool:
        """Every message of it was not understood (none was taken for not covered)."""
        return all(a.intent == "nlu_fallback" for a in self.asked)


def group(asked: List[Asked], embed: Embed) -> List[Question]:
    """``asked`` (newest first) in groups of the same question, the most asked first, then
    the most recently asked."""
    questions: List[Question] = []
    by_text: dict = {}
    for item in asked:
        words = meaning_words(item.text)
        key = words or item.text.strip().lower()
        vector = embed(words) if words else None
        best: Optional[Question] = by_text.get(key)
        if best is None and vector is not None and float(np.linalg.norm(vector)) > 0:
            scores = [(float(q.centroid @ vector), q) for q in questions]
            score, candidate = max(scores, key=lambda s: s[0], default=(0.0, None))
            if candidate is not None and score >= SAME_QUESTION:
                best = candidate
        if best is None:
            best = Question([], np.zeros_like(vector) if vector is not None else np.zeros(1))
            questions.append(best)
        best.asked.append(item)
        by_text.setdefault(key, best)
        if vector is not None and best.centroid.shape == vector.shape:
            total = best.centroid * (len(best.asked) - 1) + vector
            norm = float(np.linalg.norm(total))
            best.centroid = total / norm if norm > 0 else total
    return sorted(questions, key=lambda q: (-q.count, -q.last.timestamp()))
