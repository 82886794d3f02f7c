"""Checks of an answer: what it must never give, its clinic details, its source sentences."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Tuple

from clinic.config import HANDOFF_DETAILS, Clinic
from staff import data
from staff import source as source_text
from staff.claims import Review, review_answer
from staff.problems import ContentError, Problem, quote

ROOT = data.ROOT

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

#: The only schemes a link in an answer may have: a web page over TLS, an e-mail, a call.
#: Any other (javascript:, data:, vbscript:, plain http:) can run code in the visitor's
#: browser or leave the secure site; the chat widget renders answers' links as written.
SAFE_LINK_SCHEMES = ("https", "mailto", "tel")
#: A markdown link's target, ``[words](target)`` (the words may hold brackets: ``[our
#: [new] page](...)``), a reference's, ``[name]: target`` on a line of its own, and an
#: autolink, ``<scheme:...>``.
_LINK = re.compile(r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]*)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)", re.MULTILINE)
_AUTOLINK = re.compile(r"<([a-z][a-z0-9+.\-]*:[^>\s]*)>", re.IGNORECASE)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
#: A link to one of the clinic's details, ``[book]({booking_url})``.
_DETAIL = re.compile(r"^\{\w+\}$")

#: An answer is read in a chat window, often on a phone.
MAX_ANSWER_CHARS = 600

#: The clinic's details from clinic.yml (its handoff section's too), which any answer may use.
CLINIC_DETAILS: Set[str] = set(
    Clinic(
        name="", phone="", booking_url="", email="", opening_hours="", emergency_number=""
    ).template_values()
) | set(HANDOFF_DETAILS)
#: The {placeholders} an answer may use: the clinic's details, the channels' message length
#: limit (filled by components/clinic_nlg.py), and what the live handoff's actions and routes
#: pass with the messages that use them (actions/handoff.py, actions/callback.py,
#: channels/handoff.py).
PLACEHOLDERS: Set[str] = CLINIC_DETAILS | {
    "max_message_chars",
    "next_opening",
    "callback_name",
    "callback_contact",
    "staff_name",
}


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


def unsafe_links(text: str) -> List[str]:
    """The link targets of ``text`` whose scheme is not https, mailto or tel (a link to a
    clinic detail, ``{booking_url}``, is checked as that detail)."""
    found = _LINK.findall(text) + _REFERENCE.findall(text) + _AUTOLINK.findall(text)
    targets = [t.strip() for t in found]
    return [target for target in targets if not _DETAIL.match(target) and not _safe(target)]


def _safe(target: str) -> bool:
    scheme = _SCHEME.match(target)
    return scheme is not None and scheme.group(1).lower() in SAFE_LINK_SCHEMES


def answer_text_problems(text: str, subject: str = "The answer") -> List[Problem]:
    """What is wrong with an answer's text by itself (not its sources)."""
    cleaned = data.clean_answer(text)
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
    for target in unsafe_links(cleaned):
        problems.append(
            Problem(
                "answer",
                f"{subject} links to {quote(target)}; a link must start with https:, mailto: "
                "or tel: (any other can run code in the visitor's browser or leave the "
                "secure site).",
            )
        )
    unknown = sorted(set(re.findall(r"\{(\w*)\}", cleaned)) - PLACEHOLDERS)
    for name in unknown:
        known = ", ".join("{" + p + "}" for p in sorted(CLINIC_DETAILS))
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


def support_problems(review: Review) -> List[Problem]:
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
        answers = data.responses(root)
        reviews = data.claims(root)
    except ContentError as error:
        return [Problem("data", str(error))]
    response = f"{data.FAQ_RESPONSE}{name}"
    if response not in answers:
        return [Problem("topic", f"There is no topic '{name}' with an answer to change.")]
    problems = answer_text_problems(text)
    if not data.clean_answer(text):
        return problems
    missing = source_missing(root)
    if missing:
        return [*problems, missing]
    problems += source_problems(sources, root)
    picked = [s.strip() for s in sources if s.strip()]
    review = review_answer(data.clean_answer(text), picked, reviews.get(response) or {}, root)
    return problems + support_problems(review)
