"""Plain-words checks of the training data, for staff (a nurse, not a programmer).

The same checks run beside each field of the staff app (:func:`check_answer`,
:func:`check_example`, :func:`check_new_topic`), over the whole project with
``make check`` (:func:`check_project`, ``python -m staff.check``) and before every
publish. Each problem is one sentence that says what is wrong and, where it helps, what to
do; a blocking one stops a save or a publish, a warning does not. Rasa's own data check
(``rasa data validate``) runs too, its messages put into the same plain words.

The patterns of what an answer must never give (a dose, a guarantee, a price) live here;
``tests/test_response_audit.py`` checks every response with them too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from clinic.config import Clinic
from staff import content
from staff import source as source_text
from staff.content import ContentError

ROOT = Path(__file__).resolve().parent.parent

#: What no answer may give, each with its patterns (matched without regard to case).
FORBIDDEN: Dict[str, List[str]] = {
    "a dose or a number of units": [
        r"\b\d+(\.\d+)?\s*(units?|iu|u|mg|ml|cc)\b",
        r"\bunits?\b",
        r"\bdos(e|es|age|ing)\b",
    ],
    "a guarantee": [
        r"\b(will|to) (remove|erase|eliminate|cure|fix|get rid of)\b",
        r"\bpermanent(ly)?\b",
        r"\b100\s*%",
        r"\bguarantee",
        r"\bcures?\b",
        r"\bno risks?\b",
        r"\brisk[- ]free\b",
        r"\bcompletely safe\b",
        r"\bforever\b",
        r"\bpainless\b",
    ],
    "a price": [
        r"[£$€]\s*\d",
        r"\b\d+\s*(pounds|dollars|euros|gbp|usd|eur)\b",
    ],
}

#: What to do instead, for each kind of FORBIDDEN.
INSTEAD: Dict[str, str] = {
    "a dose or a number of units": (
        "The assistant never gives doses or units: the dermatologist decides them at the "
        "consultation."
    ),
    "a guarantee": (
        "The assistant never promises results or safety: say what the source text says "
        "(for example 'can help', 'rare')."
    ),
    "a price": (
        "The assistant never quotes prices: they depend on the treatment plan worked out at "
        "the consultation."
    ),
}

#: A topic needs this many different examples to be recognised reliably (the existing
#: topics have 28 or more; Rasa itself trains with as few as 2, but badly).
MIN_EXAMPLES = 10
#: A topic with fewer than this gets a warning: more examples make it recognised better.
GOOD_EXAMPLES = 20
MAX_EXAMPLE_CHARS = 300
#: An answer is read in a chat window, often on a phone.
MAX_ANSWER_CHARS = 600

#: The {placeholders} an answer may use: the clinic's details from clinic.yml, and the
#: channels' message length limit (filled by components/clinic_nlg.py).
PLACEHOLDERS: Set[str] = set(
    Clinic(
        name="", phone="", booking_url="", email="", opening_hours="", emergency_number=""
    ).template_values()
) | {"max_message_chars"}

#: The held-out test messages. None of the NLU test's (the first) or of the held-out sets
#: of evaluation/sets/ may be a training example (tests/test_data.py); the safety suite's
#: should not be.
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

#: How long Rasa's data check may take.
VALIDATE_TIMEOUT = 600


@dataclass(frozen=True)
class Problem:
    """One problem, in plain words.

    Attributes:
        field: where the app shows it: "answer", "example", "topic", "name", "source" or
            "data".
        message: one sentence a nurse understands.
        blocking: True: it must not be saved or published; False: a warning.
    """

    field: str
    message: str
    blocking: bool = True


def quote(text: str, limit: int = 80) -> str:
    """``text`` in quotes for a message, shortened when long."""
    text = " ".join(text.split())
    return f"'{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}'"


def forbidden(text: str) -> List[Tuple[str, str]]:
    """What ``text`` gives that no answer may: (kind, the words that give it)."""
    found: List[Tuple[str, str]] = []
    for what, patterns in FORBIDDEN.items():
        for pattern in patterns:
            match = re.search(pattern, text, re.IGNORECASE)
            if match:
                # The whole amount: "£1" of "£150.00" -> "£150.00".
                rest = re.match(r"[\d.,]*\d", text[match.end() :])
                found.append((what, match.group() + (rest.group() if rest else "")))
                break
    return found


def answer_text_problems(text: str, subject: str = "The answer") -> List[Problem]:
    """What is wrong with an answer's text by itself (not its sources)."""
    cleaned = content.clean_answer(text)
    if not cleaned:
        return [Problem("answer", f"{subject} is empty. Write what visitors should read.")]
    problems: List[Problem] = []
    if len(cleaned) > MAX_ANSWER_CHARS:
        problems.append(
            Problem(
                "answer",
                f"{subject} is {len(cleaned)} characters long; keep it under "
                f"{MAX_ANSWER_CHARS} so it is easy to read in the chat window.",
            )
        )
    for what, words in forbidden(cleaned):
        problems.append(
            Problem("answer", f"{subject} gives {what} ({quote(words)}). {INSTEAD[what]}")
        )
    unknown = sorted(set(re.findall(r"\{(\w*)\}", cleaned)) - PLACEHOLDERS)
    for name in unknown:
        known = ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS - {"max_message_chars"}))
        problems.append(
            Problem(
                "answer",
                f"{subject} uses {{{name}}}, which is not one of the clinic's details in "
                f"clinic.yml. Use one of {known}.",
            )
        )
    if re.sub(r"\{\w*\}", "", cleaned).count("{") or re.sub(r"\{\w*\}", "", cleaned).count("}"):
        problems.append(
            Problem(
                "answer",
                f"{subject} has a curly bracket that is not part of a clinic detail such as "
                "{clinic_phone}; remove it.",
            )
        )
    return problems


def source_missing(root: Path = ROOT) -> Optional[Problem]:
    """A problem when the project has no source text to check answers against."""
    if (root / source_text.SOURCE).is_file():
        return None
    return Problem(
        "source",
        f"The source text ({source_text.SOURCE.as_posix()}) is missing, so no answer can be "
        "checked against it.",
    )


def source_problems(sources: Sequence[str], root: Path = ROOT) -> List[Problem]:
    """The picked source sentences that are not sentences of the source text."""
    known = set(source_text.sentences(root))
    return [
        Problem(
            "source",
            f"The source sentence {quote(s)} is not in the source text; pick it from the list.",
        )
        for s in sources
        if s.strip() not in known
    ]


def support_problems(review: content.Review) -> List[Problem]:
    """The answer's sentences that its picked sources do not back."""
    problems = [
        Problem(
            "source",
            f"The sentence {quote(part)} is not backed by the source sentences you picked. "
            "Pick the sentence of the source text that says it, or change or remove it.",
        )
        for part in review.unsupported
    ]
    problems += [
        Problem(
            "source",
            f"The sentence {quote(part)} shares few words with the source sentences you "
            "picked; check that the source really says the same.",
            blocking=False,
        )
        for part in review.weak
    ]
    return problems


def check_answer(name: str, text: str, sources: List[str], root: Path = ROOT) -> List[Problem]:
    """The problems of a new answer for topic ``name`` with the picked ``sources``: its
    text, and each new sentence's support in the source text (an unchanged sentence keeps
    the review it had)."""
    try:
        answers = content.responses(root)
        reviews = content.claims(root)
    except ContentError as error:
        return [Problem("data", str(error))]
    response = f"{content.FAQ_RESPONSE}{name}"
    if response not in answers:
        return [Problem("topic", f"There is no topic '{name}' with an answer to change.")]
    problems = answer_text_problems(text)
    if not content.clean_answer(text):
        return problems
    missing = source_missing(root)
    if missing:
        return [*problems, missing]
    problems += source_problems(sources, root)
    picked = [s.strip() for s in sources if s.strip()]
    review = content.review_answer(
        content.clean_answer(text), picked, reviews.get(response) or {}, root
    )
    return problems + support_problems(review)


def _name_of(intent: str) -> str:
    return content.topic_label(intent)


def held_out(root: Path = ROOT) -> Dict[str, str]:
    """The held-out test messages, normalised, with the file each is in (the NLU test's
    first when a message is in both)."""
    found: Dict[str, str] = {}
    for relative in HELD_OUT:
        path = root / relative if (root / relative).is_file() else ROOT / relative
        if not path.is_file():
            continue
        data = content.load(path) or {}
        if "nlu" in data:
            texts = [
                text
                for item in data.get("nlu") or []
                for text in content.example_lines(item.get("examples") or "")
            ]
        else:
            texts = [str(i.get("text", "")) for group in data.values() for i in group or []]
        for text in texts:
            key = content.normalise(text)
            if key:  # emoji and punctuation alone ("😂", "???") say nothing of a message
                found.setdefault(key, relative.as_posix())
    return found


def example_problems(
    text: str,
    intent: str,
    existing: Sequence[content.Example],
    test_messages: Dict[str, str],
) -> List[Problem]:
    """The problems of one new example for ``intent``, given the examples there are."""
    cleaned = content.clean_example(text)
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
    if content.strip_markup(cleaned) != cleaned:
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
    key = content.normalise(cleaned)
    for other in existing:
        if content.normalise(other.text) != key:
            continue
        where = _name_of(other.intent)
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
        intent = content.intent_of(target, root)
        existing = content.examples(root)
    except ContentError as error:
        return [Problem("data", str(error))]
    if intent is None:
        return [Problem("topic", f"There is no topic '{target}' to add the example to.")]
    return example_problems(text, intent, existing, held_out(root))


def name_problems(name: str, root: Path = ROOT) -> List[Problem]:
    """The problems of a new topic's name."""
    if not name.strip():
        return [Problem("name", "Give the topic a name, for example aftercare.")]
    if not content.TOPIC_NAME.match(name) or len(name) > content.MAX_TOPIC_NAME:
        suggestion = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        suggestion = re.sub(r"^[0-9_]+", "", suggestion)[: content.MAX_TOPIC_NAME] or "aftercare"
        return [
            Problem(
                "name",
                f"The topic name '{name}' can only have lower-case letters, digits and "
                f"underscores, start with a letter and be at most {content.MAX_TOPIC_NAME} "
                f"characters long, for example '{suggestion}'.",
            )
        ]
    existing = {t.name for t in content.topics(root)}
    if name in existing or (root / content.FAQ_DIR / f"{name}.yml").exists():
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
        existing = content.examples(root)
    except ContentError as error:
        return [Problem("data", str(error))]
    intent = f"{content.FAQ_INTENT}{name}"
    test_messages = held_out(root)
    given: List[content.Example] = []
    for text in examples:
        if not content.clean_example(text):
            continue
        problems += example_problems(text, intent, [*existing, *given], test_messages)
        given.append(content.Example(content.clean_example(text), intent, Path("(new)")))
    distinct = len({content.normalise(e.text) for e in given})
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
        if content.clean_answer(answer):
            review = content.review_answer(
                content.clean_answer(answer), [source.strip()], {}, root
            )
            problems += support_problems(review)
    return problems


# ---------------------------------------------------------------- the whole project


def _duplicate_problems(found: Sequence[content.Example]) -> List[Problem]:
    problems: List[Problem] = []
    first: Dict[str, content.Example] = {}
    reported: Set[Tuple[str, str, str, str]] = set()
    for example in found:
        key = content.normalise(example.text)
        if not key:
            continue
        seen = first.setdefault(key, example)
        if seen is example:
            continue
        a, b = _name_of(seen.intent), _name_of(example.intent)
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


def _topic_problems(root: Path, found: Sequence[content.Example]) -> List[Problem]:
    problems: List[Problem] = []
    test_messages = held_out(root)
    for topic in content.topics(root):
        distinct = len({content.normalise(text) for text in topic.examples})
        if not content.TOPIC_NAME.match(topic.name):
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
        where = _name_of(example.intent)
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
        key = content.normalise(example.text)
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
    if response.startswith(content.FAQ_RESPONSE):
        return f"The answer of topic '{response[len(content.FAQ_RESPONSE) :]}'"
    return f"The message {response}"


def _response_problems(root: Path) -> List[Problem]:
    problems: List[Problem] = []
    reviews = content.claims(root)
    missing = source_missing(root)
    if missing:
        problems.append(missing)
    has_review_file = (root / content.CLAIMS).is_file() and not missing
    known_sentences = set(source_text.sentences(root)) if not missing else set()
    answers = content.responses(root)
    for name, response in sorted(answers.items()):
        subject = _answer_name(name)
        if not response.text.strip():
            if name.startswith(content.FAQ_RESPONSE):
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
                    f"({content.CLAIMS.as_posix()}); save it in the staff app with its source "
                    "sentence.",
                )
            )
            continue
        stale, leftover = content.audit(response.all_text, review)
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
                    f"{content.CLAIMS.as_posix()} lists text that is no longer in "
                    f"{subject[0].lower()}{subject[1:]}: {quote(stale[0])}.",
                    blocking=False,
                )
            )
    for name in sorted(set(reviews) - set(answers)):
        problems.append(
            Problem(
                "source",
                f"{content.CLAIMS.as_posix()} still lists {name}, which no longer exists.",
                blocking=False,
            )
        )
    return problems


def check_project(root: Path = ROOT, rasa_validate: bool = True) -> List[Problem]:
    """Every problem of the project's data, blocking ones first; with ``rasa_validate``,
    Rasa's own data check too (a subprocess, about half a minute)."""
    try:
        found = content.examples(root)
        problems = _duplicate_problems(found)
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
    key = content.normalise(quoted.group(1))
    return any(
        content.normalise(text) == key
        for p in problems
        for text in re.findall(r"The examples? '(.*?)'(?: and| is| of)", p.message)
    )


# ---------------------------------------------------------------- rasa data validate

#: Rasa's messages of `rasa data validate` -> the same in plain words.
RASA_MESSAGES: List[Tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"The example '(?P<text>.*)' was found labeled with multiple different intents.*"
            r"labeled with: (?P<intents>.+?)\.?$",
            re.S,
        ),
        "The example '{text}' is under both {intents}.",
    ),
    (
        re.compile(r"labeled with intent '(?P<intent>.+?)'\. This intent is not listed"),
        "Examples are labelled '{intent}', which is not one of the assistant's intents "
        "(domain.yml).",
    ),
    (
        re.compile(r"The action '(?P<name>.+?)' is used in the (stories|'.*?' block), but"),
        "The rules or stories use '{name}', which the assistant does not know (domain.yml).",
    ),
    (
        re.compile(r"Story structure conflict after (?P<after>.+?):", re.S),
        "Two rules or stories disagree on what to do after {after}.",
    ),
    (
        re.compile(
            r"(?:doesn't|does not) start with a '-' symbol: (?P<line>.*?)\s*This training",
            re.S,
        ),
        "A line of an examples list does not start with '- ': '{line}'.",
    ),
    (
        re.compile(r"Failed to read '(?P<file>[^']+)'.*?line (?P<line>\d+)", re.S),
        "The file {file} cannot be read: there is a mistake on or near line {line}.",
    ),
    (
        re.compile(r"The file '(?P<file>[^']+)' does not exist", re.S),
        "The file {file} is missing.",
    ),
]

#: A line that starts one of Rasa's messages: a Python warning, a log line or an error.
_WARNING = re.compile(r"^\S+\.py:\d+: \w*Warning: (?P<message>.*)$")
_LOG = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+(?P<level>[A-Z]+)\s+\S+\s+-\s+(?P<message>.*)$"
)
_NOISE = (
    "More info at",
    "docs=",
    "rasa.shared.utils.io.raise_warning",
    "warnings.warn",
)
#: The levels of Rasa's log lines that are messages about the data.
LEVELS = ("WARNING", "ERROR", "CRITICAL")
#: Rasa's colours.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: What Rasa says that does not fail its check: about reading any project (this one
#: included), or what it only notes (responses sent by custom actions, domain intents).
BENIGN = (
    "Slot auto-fill has been removed",
    "duplicated intents have been found across multiple domain files",
    "pkg_resources",
    "declare_namespace",
    "load_module()",
    "is deprecated",
    "is not used in any story or rule",
    "is listed in the domain file, but is not found in the NLU training data",
)


def _messages(output: str) -> List[str]:
    """The messages of Rasa's output: each warning or error with its continuation lines,
    without tracebacks, code lines or documentation links."""
    messages: List[str] = []
    current: Optional[List[str]] = None
    for line in _ANSI.sub("", output).splitlines():
        log = _LOG.match(line)
        start = _WARNING.match(line) or (log if log and log["level"] in LEVELS else None)
        if start or log or line.startswith("Processed "):  # a new message, or other output
            if current is not None:
                messages.append(" ".join(current).strip())
            current = [start.group("message").strip()] if start else None
        elif line.startswith(("Traceback", "  File ")) or line.strip().startswith(_NOISE):
            if current is not None:
                messages.append(" ".join(current).strip())
            current = None
        elif current is not None and line.strip():
            current.append(line.strip())
        elif current is not None:
            messages.append(" ".join(current).strip())
            current = None
    if current is not None:
        messages.append(" ".join(current).strip())
    return [m for m in messages if m]


def _plain(message: str, root: Path) -> str:
    for pattern, template in RASA_MESSAGES:
        match = pattern.search(message)
        if match:
            values = {k: (v or "").strip() for k, v in match.groupdict().items()}
            if "intents" in values:
                names = [_name_of(n.strip()) for n in values["intents"].split(",")]
                values["intents"] = " and ".join(names)
            if "text" in values:
                values["text"] = values["text"].strip()
            for key in ("file",):
                if key in values:
                    values[key] = _relative(values[key], root)
            return template.format(**values)
    first = re.split(r"(?<=[.!?])\s", message, maxsplit=1)[0]
    return f"Rasa's data check says: {_relative_in(first, root)}"


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path


def _relative_in(text: str, root: Path) -> str:
    return text.replace(str(root.resolve()) + os.sep, "").replace(str(root) + os.sep, "")


def translate(output: str, returncode: int, root: Path = ROOT) -> List[Problem]:
    """The output of ``rasa data validate --fail-on-warning`` as plain-words problems:
    none when it passed (exit code 0), else each of its messages about the data."""
    if returncode == 0:
        return []
    problems: List[Problem] = []
    for message in _messages(output):
        if any(benign in message for benign in BENIGN):
            continue
        plain = _plain(message, root)
        if Problem("data", plain) not in problems:
            problems.append(Problem("data", plain))
    if not problems:
        lines = [
            line.strip()
            for line in _ANSI.sub("", output).splitlines()
            if line.strip() and not line.startswith((" ", "Traceback"))
        ]
        last = _relative_in(lines[-1], root) if lines else "no message"
        problems.append(Problem("data", f"Rasa's data check failed: {last}"))
    return problems


def validate_command(root: Path) -> List[str]:
    """``rasa data validate`` on the project in ``root``, as ``make test`` runs it."""
    return [
        sys.executable, "-m", "rasa", "data", "validate", "--fail-on-warning",
        "--config", str(root / "config.yml"), "--domain", str(root / "domain.yml"),
        "--data", str(root / "data"),
    ]  # fmt: skip


def validate(root: Path = ROOT) -> List[Problem]:
    """Rasa's own data check of the project, in plain words."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"}
    try:
        done = subprocess.run(
            validate_command(root),
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=VALIDATE_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return [
            Problem("data", f"Rasa's data check did not finish in {VALIDATE_TIMEOUT} seconds.")
        ]
    except OSError as error:
        return [Problem("data", f"Rasa's data check could not start: {error.strerror}.")]
    return translate(done.stdout + "\n" + done.stderr, done.returncode, root)


def numbered(problems: Iterable[Problem]) -> str:
    """Problems as a numbered list, blocking ones first, warnings marked."""
    ordered = sorted(problems, key=lambda p: not p.blocking)
    return "\n".join(
        f"{number}. {'' if p.blocking else '(warning) '}{p.message}"
        for number, p in enumerate(ordered, 1)
    )
