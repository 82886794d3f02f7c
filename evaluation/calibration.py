"""How far the classifier's confidence can be trusted, and the fallback thresholds it gives.

Each message with a known right label is a :class:`Judgement`: the label the assistant
acted on, how sure it was (the classifier's confidence in its best label and the margin to
the second best; certain where the safety guard or the language gate decided, see
:func:`evaluation.outcome.decision`), and whether that label was right. The
FallbackClassifier (config.yml) asks the visitor to rephrase when the confidence is below
``threshold`` or the margin below ``ambiguity_threshold``; every other message is answered.
For each pair of thresholds:

- the share of messages answered, and of those answered the share answered wrongly;
- the *confident wrong answer rate*: wrong answers given over all messages, a wrong answer
  being an FAQ answer, a refusal, emergency guidance or the not-covered reply that the
  message did not call for;
- the *lost answer rate*: messages the assistant did not serve: a right answer withheld by
  a fallback, or a wrong reply that answers nothing (taking a question for off topic).

:func:`choose` picks the pair with the lowest cost, a confident wrong answer counting
``WRONG_ANSWER_COST`` times a lost answer (asking to rephrase a question that would have
been answered right), among the pairs that still answer enough in-domain questions right
(the bar's answer accuracy: a stricter pair would buy fewer wrong answers with fallbacks on
questions the assistant knows). :mod:`evaluation.cross_validation` chooses them by
cross-validation on the held-out sets; ``make test`` prints the curve.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import yaml

from evaluation.outcome import ANSWER_LABELS

CONFIG = Path(__file__).resolve().parent.parent / "config.yml"

#: The group of the in-domain questions (evaluation/sets/nlu.yml).
IN_DOMAIN = "nlu"
#: A confident wrong answer costs this many lost answers.
WRONG_ANSWER_COST = 3.0
#: The thresholds tried.
THRESHOLDS = [round(i * 0.025, 3) for i in range(0, 33)]  # 0 .. 0.8
AMBIGUITIES = [round(i * 0.025, 3) for i in range(0, 9)]  # 0 .. 0.2
#: The rows of the printed curve.
REPORTED = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]


@dataclass(frozen=True)
class Judgement:
    """The label acted on for one message, as far as calibration needs it: how sure, whether
    right, and whether it is an answer (:data:`evaluation.outcome.ANSWER_LABELS`, FAQ
    topics)."""

    confidence: float
    margin: float
    right: bool
    answer: bool = True
    #: The held-out group the message is from ("nlu" for the in-domain questions).
    group: str = ""
    #: Whether the right answer is an FAQ topic's.
    topic_question: bool = False


@dataclass(frozen=True)
class Point:
    """What a pair of thresholds does to a set of judgements."""

    threshold: float
    ambiguity: float
    answered: float
    wrong_among_answered: float
    confident_wrong: float
    lost: float

    @property
    def cost(self) -> float:
        """Confident wrong answers, weighted, plus lost answers (per message)."""
        return WRONG_ANSWER_COST * self.confident_wrong + self.lost


def configured(config: Path = CONFIG) -> Optional[Tuple[float, float]]:
    """The FallbackClassifier's (threshold, ambiguity_threshold) in config.yml, if any."""
    pipeline = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("pipeline") or []
    for component in pipeline:
        if component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", 0.3)), float(
                component.get("ambiguity_threshold", 0.1)
            )
    return None


def from_results(results: Iterable[Dict[str, Any]]) -> List[Judgement]:
    """The judgements of results whose wanted label is known."""
    judgements = []
    for r in results:
        label, wanted = r.get("decided_label"), r.get("wanted")
        if label and wanted:
            judgements.append(
                Judgement(
                    float(r["decided_confidence"]),
                    float(r["decided_margin"]),
                    label == wanted,
                    str(label).startswith("faq/") or label in ANSWER_LABELS,
                    str(r.get("group") or ""),
                    str(wanted).startswith("faq/"),
                )
            )
    return judgements


def point(judgements: Sequence[Judgement], threshold: float, ambiguity: float) -> Point:
    """The figures of one pair of thresholds."""
    total = len(judgements) or 1
    answered = [j for j in judgements if j.confidence >= threshold and j.margin >= ambiguity]
    wrong = [j for j in answered if not j.right]
    harmful = sum(1 for j in wrong if j.answer)
    withheld = sum(1 for j in judgements if j.right) - (len(answered) - len(wrong))
    return Point(
        threshold,
        ambiguity,
        len(answered) / total,
        len(wrong) / len(answered) if answered else 0.0,
        harmful / total,
        (withheld + len(wrong) - harmful) / total,
    )


def curve(judgements: Sequence[Judgement], ambiguity: float = 0.0) -> List[Point]:
    """The figures at each reported threshold (with a fixed ambiguity threshold)."""
    return [point(judgements, t, ambiguity) for t in REPORTED]


def answered_right(judgements: Sequence[Judgement], threshold: float, ambiguity: float) -> float:
    """The share of ``judgements`` answered, and answered right, at these thresholds."""
    right = [
        j for j in judgements if j.right and j.confidence >= threshold and j.margin >= ambiguity
    ]
    return len(right) / len(judgements) if judgements else 1.0


def choose(judgements: Sequence[Judgement], in_domain_floor: float = 0.0) -> Point:
    """The pair of thresholds of lowest cost (the lowest such pair on a tie) among those
    that still answer at least ``in_domain_floor`` of the in-domain questions (group
    "nlu"), and of those on FAQ topics, right: a fallback is never a right answer to a
    question the assistant knows."""
    in_domain = [j for j in judgements if j.group == IN_DOMAIN]
    topics = [j for j in in_domain if j.topic_question]
    pairs = [
        (t, a)
        for t in THRESHOLDS
        for a in AMBIGUITIES
        if min(answered_right(in_domain, t, a), answered_right(topics, t, a)) >= in_domain_floor
    ] or [(0.0, 0.0)]
    points = [point(judgements, t, a) for t, a in pairs]
    return min(points, key=lambda p: (round(p.cost, 9), p.threshold, p.ambiguity))


def cross_validated(
    judgements: Sequence[Judgement], folds: int = 5, seed: int = 0, in_domain_floor: float = 0.0
) -> Tuple[Point, List[Point]]:
    """The thresholds of lowest cost on all ``judgements``, and what thresholds chosen that
    way do to messages they were not chosen on: for each of ``folds`` parts in turn, the
    pair chosen on the other parts, measured on that part."""
    order = list(range(len(judgements)))
    random.Random(seed).shuffle(order)
    parts = [order[i::folds] for i in range(folds)]
    measured = []
    for part in parts:
        held = set(part)
        chosen = choose([j for i, j in enumerate(judgements) if i not in held], in_domain_floor)
        measured.append(point([judgements[i] for i in part], chosen.threshold, chosen.ambiguity))
    return choose(judgements, in_domain_floor), measured


def mean(points: Sequence[Point]) -> Point:
    """The average of points measured on parts of a set."""
    n = len(points) or 1
    return Point(
        sum(p.threshold for p in points) / n,
        sum(p.ambiguity for p in points) / n,
        sum(p.answered for p in points) / n,
        sum(p.wrong_among_answered for p in points) / n,
        sum(p.confident_wrong for p in points) / n,
        sum(p.lost for p in points) / n,
    )


def table(points: Iterable[Point]) -> str:
    """The points as a table."""
    rows = ["  confidence >=  answered  wrong among answered  confident wrong  lost answers"]
    rows += [
        f"  {p.threshold:13.2f}  {p.answered:8.3f}  {p.wrong_among_answered:20.3f}"
        f"  {p.confident_wrong:15.3f}  {p.lost:12.3f}"
        for p in points
    ]
    return "\n".join(rows)


def report(judgements: Sequence[Judgement], configured: Tuple[float, float] | None = None) -> str:
    """The calibration of ``judgements``, as printed by ``make test``."""
    if not judgements:
        return "Calibration: no message with a known label."
    lines = [f"Calibration of the classifier on {len(judgements)} held-out messages:"]
    lines.append(table(curve(judgements)))
    if configured:
        p = point(judgements, *configured)
        lines.append(
            f"  at config.yml's thresholds ({configured[0]}, ambiguity {configured[1]}): "
            f"answered {p.answered:.3f}, wrong among answered {p.wrong_among_answered:.3f}, "
            f"confident wrong answer rate {p.confident_wrong:.3f}, lost {p.lost:.3f}"
        )
    return "\n".join(lines)
