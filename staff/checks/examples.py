"""Checks of a training example and of a new topic (its name, examples and answer)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Sequence, Set, Tuple

from staff import data
from staff.checks.answers import (
    answer_text_problems,
    source_missing,
    source_problems,
    support_problems,
)
from staff.claims import review_answer
from staff.data import Example
from staff.problems import ContentError, Problem, quote

ROOT = data.ROOT

#: A topic needs this many different examples to be recognised reliably (the existing
#: topics have 28 or more; Rasa itself trains with as few as 2, but badly).
MIN_EXAMPLES = 10
#: A topic with fewer than this gets a warning: more examples make it recognised better.
GOOD_EXAMPLES = 20
MAX_EXAMPLE_CHARS = 300

#: The held-out test messages. None of the NLU test's (the first) or of the held-out sets
#: of evaluation/sets/ may be a training example (tests/unit/data/test_training_data.py);
#: the safety suite's should not be.
HELD_OUT = (
    Path("evaluation") / "nlu_test.yml",
    Path("evaluation") / "safety_test.yml",
    *(
        Path("evaluation") / "sets" / f"{name}.yml"
        for name in ("nlu", "off_topic", "not_covered", "other_languages", "safety")
    ),
)
#: Those that must never be taught (the others only should not be).
STRICT_HELD_OUT = {p.as_posix() for p in HELD_OUT if p.name != "safety_test.yml"}


def held_out(root: Path = ROOT) -> Dict[str, str]:
    """The held-out test messages, normalised, with the file each is in (the NLU test's
    first when a message is in both)."""
    found: Dict[str, str] = {}
    for relative in HELD_OUT:
        path = root / relative if (root / relative).is_file() else ROOT / relative
        if not path.is_file():
            continue
        document = data.load(path) or {}
        if "nlu" in document:
            texts = [
                text
                for item in document.get("nlu") or []
                for text in data.example_lines(item.get("examples") or "")
            ]
        else:
            texts = [str(i.get("text", "")) for group in document.values() for i in group or []]
        for text in texts:
            key = data.normalise(text)
            if key:  # emoji and punctuation alone ("😂", "???") say nothing of a message
                found.setdefault(key, relative.as_posix())
    return found


def example_problems(
    text: str,
    intent: str,
    existing: Sequence[Example],
    test_messages: Dict[str, str],
) -> List[Problem]:
    """The problems of one new example for ``intent``, given the examples there are."""
    cleaned = data.clean_example(text)
    shown = quote(cleaned)
    if not cleaned:
        return [Problem("example", "The example is empty. Type the question as a visitor would.")]
    if not re.search(r"[^\W_]", cleaned):
        return [Problem("example", f"The example {shown} has no words.")]
    problems: List[Problem] = []
    if len(cleaned) > MAX_EXAMPLE_CHARS:
        problems.append(
            Problem(
                "example",
                f"The example is {len(cleaned)} characters long; keep it under "
                f"{MAX_EXAMPLE_CHARS} (the question itself is enough).",
            )
        )
    if data.strip_markup(cleaned) != cleaned:
        problems.append(
            Problem(
                "example",
                f"The example {shown} has square brackets followed by other brackets, which "
                "the training files use to mark words; remove the brackets.",
            )
        )
    if cleaned.startswith("/"):
        problems.append(
            Problem(
                "example",
                f"The example {shown} starts with '/', which the assistant reads as a "
                "button's command; remove the '/'.",
            )
        )
    key = data.normalise(cleaned)
    for other in existing:
        if data.normalise(other.text) != key:
            continue
        where = data.topic_label(other.intent)
        if other.intent == intent:
            same = "" if other.text == cleaned else f" (written {quote(other.text)})"
            problems.append(
                Problem("example", f"The example {shown} is already under {where}{same}.")
            )
        else:
            problems.append(
                Problem(
                    "example",
                    f"The example {shown} is already under {where}; an example can belong to "
                    "one topic only.",
                )
            )
        break
    if key in test_messages:
        strict = test_messages[key] in STRICT_HELD_OUT
        problems.append(
            Problem(
                "example",
                f"The example {shown} is one of the test messages the assistant is checked "
                f"with ({test_messages[key]}); "
                + (
                    "a test message must not be taught, or the test would prove nothing. "
                    "Teach it in other words."
                    if strict
                    else "teaching it makes that test say less about new messages."
                ),
                blocking=strict,
            )
        )
    return problems


def check_example(target: str, text: str, root: Path = ROOT) -> List[Problem]:
    """The problems of a new example for ``target``: a topic's name, a Teach label
    ("personal advice") or its intent."""
    try:
        intent = data.intent_of(target, root)
        existing = data.examples(root)
    except ContentError as error:
        return [Problem("data", str(error))]
    if intent is None:
        return [Problem("topic", f"There is no topic '{target}' to add the example to.")]
    return example_problems(text, intent, existing, held_out(root))


def name_problems(name: str, root: Path = ROOT) -> List[Problem]:
    """The problems of a new topic's name."""
    if not name.strip():
        return [Problem("name", "Give the topic a name, for example aftercare.")]
    if not data.TOPIC_NAME.match(name) or len(name) > data.MAX_TOPIC_NAME:
        suggestion = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        suggestion = re.sub(r"^[0-9_]+", "", suggestion)[: data.MAX_TOPIC_NAME] or "aftercare"
        return [
            Problem(
                "name",
                f"The topic name '{name}' can only have lower-case letters, digits and "
                f"underscores, start with a letter and be at most {data.MAX_TOPIC_NAME} "
                f"characters long, for example '{suggestion}'.",
            )
        ]
    existing = {t.name for t in data.topics(root)}
    if name in existing or (root / data.FAQ_DIR / f"{name}.yml").exists():
        return [
            Problem(
                "name",
                f"There is already a topic '{name}'; pick another name, or change that topic's "
                "answer and examples instead.",
            )
        ]
    return []


def check_new_topic(
    name: str, examples: List[str], answer: str, source: str, root: Path = ROOT
) -> List[Problem]:
    """The problems of a new topic: its name, its examples, its answer and the source
    sentence that supports the answer."""
    try:
        problems = name_problems(name, root)
        existing = data.examples(root)
    except ContentError as error:
        return [Problem("data", str(error))]
    intent = f"{data.FAQ_INTENT}{name}"
    test_messages = held_out(root)
    given: List[Example] = []
    for text in examples:
        if not data.clean_example(text):
            continue
        problems += example_problems(text, intent, [*existing, *given], test_messages)
        given.append(Example(data.clean_example(text), intent, Path("(new)")))
    distinct = len({data.normalise(e.text) for e in given})
    if distinct < MIN_EXAMPLES:
        problems.append(
            Problem(
                "example",
                f"The topic has {distinct} different example{'s' if distinct != 1 else ''}; it "
                f"needs at least {MIN_EXAMPLES} so the assistant can recognise its questions "
                "(write the ways visitors really ask it).",
            )
        )
    problems += answer_text_problems(answer)
    missing = source_missing(root)
    if missing:
        problems.append(missing)
    elif not source.strip():
        problems.append(
            Problem("source", "Pick the sentence of the source text that supports the answer.")
        )
    else:
        problems += source_problems([source], root)
        if data.clean_answer(answer):
            review = review_answer(data.clean_answer(answer), [source.strip()], {}, root)
            problems += support_problems(review)
    return problems


def duplicate_problems(found: Sequence[Example]) -> List[Problem]:
    problems: List[Problem] = []
    first: Dict[str, Example] = {}
    reported: Set[Tuple[str, str, str, str]] = set()
    for example in found:
        key = data.normalise(example.text)
        if not key:
            continue
        seen = first.setdefault(key, example)
        if seen is example:
            continue
        a, b = data.topic_label(seen.intent), data.topic_label(example.intent)
        kind = "exact" if seen.text == example.text else "near"
        if (key, a, b, kind) in reported:
            continue
        reported.add((key, a, b, kind))
        if seen.intent != example.intent:
            problems.append(
                Problem(
                    "example",
                    f"The example {quote(seen.text)} is under both {a} and {b}.",
                )
            )
        elif seen.text == example.text:
            problems.append(
                Problem("example", f"The example {quote(seen.text)} is under {a} twice; keep one.")
            )
        else:
            problems.append(
                Problem(
                    "example",
                    f"The examples {quote(seen.text)} and {quote(example.text)} of {a} are the "
                    "same apart from capitals or punctuation; keep one.",
                )
            )
    return problems
