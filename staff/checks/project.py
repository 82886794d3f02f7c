"""Checks of the whole project's data (``make check``, the Check page, every publish)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Sequence

from staff import data
from staff import source as source_text
from staff.checks.answers import answer_text_problems, source_missing
from staff.checks.examples import (
    GOOD_EXAMPLES,
    MAX_EXAMPLE_CHARS,
    MIN_EXAMPLES,
    STRICT_HELD_OUT,
    duplicate_problems,
    held_out,
)
from staff.checks.rasa import validate
from staff.claims import audit
from staff.data import Example
from staff.problems import ContentError, Problem, quote

ROOT = data.ROOT


def _topic_problems(root: Path, found: Sequence[Example]) -> List[Problem]:
    problems: List[Problem] = []
    test_messages = held_out(root)
    for topic in data.topics(root):
        distinct = len({data.normalise(text) for text in topic.examples})
        if not data.TOPIC_NAME.match(topic.name):
            problems.append(
                Problem(
                    "topic",
                    f"The topic name '{topic.name}' should have only lower-case letters, digits "
                    "and underscores.",
                    blocking=False,
                )
            )
        if topic.examples and not topic.answer.strip():
            problems.append(Problem("topic", f"Topic '{topic.name}' has examples but no answer."))
        elif topic.answer.strip() and not topic.examples:
            problems.append(
                Problem(
                    "topic",
                    f"Topic '{topic.name}' has an answer but no examples, so the assistant "
                    "can never give it.",
                )
            )
        elif distinct < MIN_EXAMPLES:
            problems.append(
                Problem(
                    "topic",
                    f"Topic '{topic.name}' has {distinct} different examples; it needs at least "
                    f"{MIN_EXAMPLES} so the assistant can recognise its questions.",
                )
            )
        elif distinct < GOOD_EXAMPLES:
            problems.append(
                Problem(
                    "topic",
                    f"Topic '{topic.name}' has {distinct} different examples; with "
                    f"{GOOD_EXAMPLES} or more (the other topics have about 30) the assistant "
                    "recognises its questions more reliably.",
                    blocking=False,
                )
            )
    for example in found:
        shown = quote(example.text)
        where = data.topic_label(example.intent)
        if not example.text.strip():
            problems.append(
                Problem("example", f"An example of {where} in {example.file} is empty.", False)
            )
        elif len(example.text) > MAX_EXAMPLE_CHARS:
            problems.append(
                Problem(
                    "example",
                    f"The example {shown} of {where} is {len(example.text)} characters long; "
                    f"keep examples under {MAX_EXAMPLE_CHARS}.",
                    blocking=False,
                )
            )
        key = data.normalise(example.text)
        if test_messages.get(key) in STRICT_HELD_OUT:
            problems.append(
                Problem(
                    "example",
                    f"The example {shown} of {where} is also a test message "
                    f"({test_messages[key]}); a test message must not be taught, or the test "
                    "would prove nothing.",
                )
            )
    return problems


def _answer_name(response: str) -> str:
    if response.startswith(data.FAQ_RESPONSE):
        return f"The answer of topic '{response[len(data.FAQ_RESPONSE) :]}'"
    return f"The message {response}"


def _response_problems(root: Path) -> List[Problem]:
    problems: List[Problem] = []
    reviews = data.claims(root)
    missing = source_missing(root)
    if missing:
        problems.append(missing)
    has_review_file = (root / data.CLAIMS).is_file() and not missing
    known_sentences = set(source_text.sentences(root)) if not missing else set()
    answers = data.responses(root)
    for name, response in sorted(answers.items()):
        subject = _answer_name(name)
        if not response.text.strip():
            if name.startswith(data.FAQ_RESPONSE):
                continue  # reported as "examples but no answer"
            problems.append(Problem("answer", f"{subject} is empty."))
            continue
        for text in response.variations or (response.text,):
            problems += answer_text_problems(text, subject)
        if not has_review_file:
            continue
        review = reviews.get(name)
        if review is None:
            problems.append(
                Problem(
                    "source",
                    f"{subject} has no record of the source sentences that support it "
                    f"({data.CLAIMS.as_posix()}); save it in the staff app with its source "
                    "sentence.",
                )
            )
            continue
        stale, leftover = audit(response.all_text, review)
        if leftover:
            problems.append(
                Problem(
                    "source",
                    f"{subject} has text that was never checked against the source text: "
                    f"{quote(leftover)}. Save it in the staff app with its source sentence.",
                )
            )
        for claim in review.get("claims") or []:
            if str(claim.get("source", "")) not in known_sentences:
                problems.append(
                    Problem(
                        "source",
                        f"{subject} is backed by {quote(str(claim.get('source', '')))}, which "
                        "is not a sentence of the source text.",
                    )
                )
        if stale:
            problems.append(
                Problem(
                    "source",
                    f"{data.CLAIMS.as_posix()} lists text that is no longer in "
                    f"{subject[0].lower()}{subject[1:]}: {quote(stale[0])}.",
                    blocking=False,
                )
            )
    for name in sorted(set(reviews) - set(answers)):
        problems.append(
            Problem(
                "source",
                f"{data.CLAIMS.as_posix()} still lists {name}, which no longer exists.",
                blocking=False,
            )
        )
    return problems


def check_project(root: Path = ROOT, rasa_validate: bool = True) -> List[Problem]:
    """Every problem of the project's data, blocking ones first; with ``rasa_validate``,
    Rasa's own data check too (a subprocess, about half a minute)."""
    try:
        found = data.examples(root)
        problems = duplicate_problems(found)
        problems += _topic_problems(root, found)
        problems += _response_problems(root)
    except ContentError as error:
        return [Problem("data", str(error))]
    if rasa_validate:
        problems += [p for p in validate(root) if not _said_already(p, problems)]
    return sorted(problems, key=lambda p: not p.blocking)


def _said_already(problem: Problem, problems: Sequence[Problem]) -> bool:
    """Rasa's message repeats one of ours: the same words, or the same example."""
    if problem.message in {p.message for p in problems}:
        return True
    quoted = re.match(r"The example '(.*)' is under both ", problem.message)
    if not quoted:
        return False
    key = data.normalise(quoted.group(1))
    return any(
        data.normalise(text) == key
        for p in problems
        for text in re.findall(r"The examples? '(.*?)'(?: and| is| of)", p.message)
    )
