"""The training data as clinic staff see it: FAQ topics, their examples and answers.

A topic ``downtime`` is the retrieval intent ``faq/downtime`` (its question examples) and
the response ``utter_faq/downtime`` (its answer), both in ``data/nlu/faq/downtime.yml``.
Examples staff teach from real conversations go to ``data/nlu/reviewed/<topic>.yml`` (or
``<intent>.yml`` for personal advice, emergencies and off-topic messages), each with a
comment saying who added it and when.

Edits keep the files as people wrote them. A file is read with ruamel.yaml's round-trip
loader, which knows where each key and value sits; an edit rewrites only the lines of the
one value it changes, and every other byte of the file stays as it was (a full re-dump
would re-indent the lists and move comments). The result is read back and compared with
what was meant before it is written. Writes go to a temporary file that then replaces the
original (never a half-written file), under a lock, so two staff saving at once both keep
their change.

``content/claims.yml`` is kept in step: it records, for every answer, which
sentence of the source text supports each of its sentences (``tests/test_response_audit.py``
fails on an answer sentence nobody reviewed). Saving an answer records its new sentences
against the source sentences the staff member picked.
"""

from __future__ import annotations

import datetime
import fcntl
import json
import os
import re
import tempfile
import textwrap
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Sequence, Tuple

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from staff import source as source_text

if TYPE_CHECKING:  # pragma: no cover
    from staff.checks import Problem

ROOT = Path(__file__).resolve().parent.parent

FAQ_DIR = Path("data") / "nlu" / "faq"
REVIEWED_DIR = Path("data") / "nlu" / "reviewed"
DATA_DIR = Path("data")
#: The safety guard's patterns: YAML, but neither training data nor responses.
SAFETY_DIR = Path("data") / "safety"
DOMAIN = Path("domain.yml")
CLAIMS = Path("content") / "claims.yml"
#: The lock file that serialises edits of one project's data (var/ is not committed).
LOCK = Path("var") / "staff-data.lock"

#: The retrieval intent of the FAQ and its response prefix.
FAQ = "faq"
FAQ_INTENT = f"{FAQ}/"
FAQ_RESPONSE = f"utter_{FAQ}/"

#: The choices of the Teach page besides the FAQ topics: label shown -> intent.
TEACH_LABELS: Dict[str, str] = {
    "personal advice": "request_medical_advice",
    "emergency": "report_emergency_symptom",
    "not covered by the source text": "not_covered",
    "another language": "other_language",
    "off topic": "out_of_scope",
}

#: A topic's name: lower-case letters, digits and underscores, starting with a letter.
TOPIC_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_TOPIC_NAME = 40

#: The buttons under a new topic's answer, as under the existing ones.
BOOKING_BUTTON = {"title": "Book a consultation", "payload": "/book_consultation"}

#: The longest line of an answer as written to the data files (as the existing ones).
ANSWER_WIDTH = 88

#: Words of a sentence that only tells visitors how to reach the clinic: with a clinic
#: detail such as {clinic_phone} and nothing but these words, it makes no medical claim.
CONTACT_WORDS = source_text.words(
    """call phone ring telephone email e-mail book booking online appointment consultation
    contact details team clinic visit website open opening hours ask question questions
    help happy please message write link speak talk further information more arrange
    reach us today anytime any time line page form via advice detail questions"""
)
#: Why such a sentence needs no source (content/claims.yml ``no_claim``).
CONTACT_REASON = "contact or booking details (clinic.yml)"

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
#: Entity mark-up of Rasa's training data: [words](entity) or [words]{"entity": ...}.
_MARKUP = re.compile(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class ContentError(ValueError):
    """An edit that was not made, with the reasons in plain words.

    Attributes:
        problems: the blocking problems (:class:`staff.checks.Problem`) that stopped it,
            when it was stopped by the checks.
    """

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems: List[Problem] = list(problems)


@dataclass
class Topic:
    """An FAQ topic as the staff app shows it.

    Attributes:
        name: "downtime" (intent ``faq/downtime``, response ``utter_faq/downtime``).
        examples: its question examples, from every data file.
        answer: the text of its answer's first variation ("" when it has none).
        file: the data file its answer is in (where a new one would go, when none).
        used_in: in plain words, what gives this answer and what links to it.
        sources: the source sentences that support it (``content/claims.yml``).
        example_files: the data files its examples are in.
    """

    name: str
    examples: List[str]
    answer: str
    file: Path
    used_in: List[str]
    sources: List[str]
    example_files: List[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Example:
    """One training example: its text (mark-up removed), its intent and its file."""

    text: str
    intent: str
    file: Path


@dataclass(frozen=True)
class Response:
    """One response of the domain or the data: its name, file, the first variation's text
    and buttons, and every variation's text (utter_other_language has one a language; an
    FAQ answer has one)."""

    name: str
    file: Path
    text: str
    buttons: Tuple[Tuple[str, str], ...]
    variations: Tuple[str, ...] = ()

    @property
    def all_text(self) -> str:
        """Every variation's text, one after the other (as the claims review reads it)."""
        return "\n".join(self.variations) or self.text


# ---------------------------------------------------------------- reading


def _yaml_rt() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True  # type: ignore[assignment]
    return yaml


@lru_cache(maxsize=256)
def _parse(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def load(path: Path) -> Any:
    """The YAML data of ``path`` (parsed once for each content it has; callers must not
    change what it returns).

    Raises:
        ContentError: the file is not valid YAML; the message says where.
    """
    try:
        return _parse(path.read_text(encoding="utf-8"))
    except YAMLError as error:
        raise ContentError(f"The file {path.name} cannot be read: {yaml_problem(error)}") from None


def yaml_problem(error: YAMLError) -> str:
    """A YAML error in plain words: what is wrong and on which line."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    where = f" on line {mark.line + 1}" if mark is not None else ""
    return f"{problem}{where}."


def data_files(root: Path = ROOT) -> List[Path]:
    """The training data files of the project (not the safety guard's patterns)."""
    data = root / DATA_DIR
    return sorted(
        path
        for path in data.rglob("*.y*ml")
        if path.suffix in (".yml", ".yaml") and SAFETY_DIR not in path.relative_to(root).parents
    )


def strip_markup(text: str) -> str:
    """An example's text as Rasa reads it: "[botox](treatment)" -> "botox"."""
    return _MARKUP.sub(r"\1", text)


def example_lines(block: str) -> List[str]:
    """The examples of an ``examples: |`` block, as Rasa reads them."""
    return [
        strip_markup(line.strip()[2:].strip())
        for line in block.splitlines()
        if line.strip().startswith("- ")
    ]


def examples(root: Path = ROOT) -> List[Example]:
    """Every training example of the project, in file order.

    Raises:
        ContentError: a data file is not valid YAML.
    """
    found: List[Example] = []
    for path in data_files(root):
        document = load(path) or {}
        if not isinstance(document, dict):
            continue
        for item in document.get("nlu") or []:
            if not isinstance(item, dict) or "intent" not in item:
                continue
            block = item.get("examples") or ""
            texts = (
                example_lines(block)
                if isinstance(block, str)
                else [str(e.get("text", "")).strip() for e in block if isinstance(e, dict)]
            )
            rel = path.relative_to(root)
            found += [Example(text, str(item["intent"]), rel) for text in texts]
    return found


def responses(root: Path = ROOT) -> Dict[str, Response]:
    """Every response of domain.yml and the data files, by name.

    Raises:
        ContentError: a file is not valid YAML.
    """
    found: Dict[str, Response] = {}
    for path in [root / DOMAIN, *data_files(root)]:
        if not path.is_file():
            continue
        document = load(path) or {}
        if not isinstance(document, dict):
            continue
        for name, variations in (document.get("responses") or {}).items():
            variations = [v for v in variations or [] if isinstance(v, dict)]
            first = variations[0] if variations else {}
            buttons = tuple(
                (str(b.get("title", "")), str(b.get("payload", "")))
                for b in first.get("buttons") or []
                if isinstance(b, dict)
            )
            texts = tuple(str(v.get("text") or "") for v in variations)
            found[str(name)] = Response(
                str(name), path.relative_to(root), texts[0] if texts else "", buttons, texts
            )
    return found


def claims(root: Path = ROOT) -> Dict[str, Dict[str, Any]]:
    """The reviews of content/claims.yml by response name ({} when it is missing)."""
    path = root / CLAIMS
    if not path.is_file():
        return {}
    document = load(path) or {}
    return dict(document.get("responses") or {})


def normalise(text: str) -> str:
    """An example as compared for duplicates: lower case, only letters, digits and single
    spaces ("How long does it last?" -> "how long does it last"); the other characters
    dropped, as tests/test_data.py compares them ("what's" -> "whats")."""
    return " ".join(re.sub(r"[^a-z0-9 ]", "", text.lower()).split())


def clean_example(text: str) -> str:
    """An example as it is saved: one line, single spaces, no control characters."""
    return " ".join(_CONTROL.sub(" ", text).split())


def clean_answer(text: str) -> str:
    """An answer as it is saved: each line with single spaces and trimmed, at most one
    empty line between paragraphs, none at the start or the end."""
    lines = [" ".join(_CONTROL.sub(" ", line).split()) for line in text.splitlines()]
    kept: List[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


def topic_label(intent: str) -> str:
    """How staff know an intent: a topic's name, or the Teach page's label."""
    if intent.startswith(FAQ_INTENT):
        return intent[len(FAQ_INTENT) :]
    for label, name in TEACH_LABELS.items():
        if name == intent:
            return label
    return intent


def _topic_names(found: Sequence[Example], answers: Dict[str, Response]) -> List[str]:
    names = {e.intent[len(FAQ_INTENT) :] for e in found if e.intent.startswith(FAQ_INTENT)}
    names |= {n[len(FAQ_RESPONSE) :] for n in answers if n.startswith(FAQ_RESPONSE)}
    return sorted(names)


def _steps_using(root: Path, name: str) -> List[str]:
    """Rules and stories that give the answer of topic ``name``, in plain words."""
    used: List[str] = []
    for path in data_files(root):
        document = load(path) or {}
        if not isinstance(document, dict):
            continue
        rel = path.relative_to(root).as_posix()
        for kind in ("rules", "stories"):
            for flow in document.get(kind) or []:
                steps = [s for s in flow.get("steps") or [] if isinstance(s, dict)]
                actions = {str(s.get("action")) for s in steps if "action" in s}
                intents = {str(s.get("intent")) for s in steps if "intent" in s}
                title = flow.get("rule") or flow.get("story") or "unnamed"
                what = "rule" if kind == "rules" else "story"
                if f"{FAQ_RESPONSE}{name}" in actions or f"{FAQ_INTENT}{name}" in intents:
                    used.append(f"the {what} '{title}' ({rel}) gives it")
                elif f"utter_{FAQ}" in actions and FAQ in intents:
                    if kind == "rules":
                        used.append(
                            f"answers questions of topic '{name}' (the {what} '{title}', {rel})"
                        )
                    else:
                        used.append(f"can be the FAQ answer of the {what} '{title}' ({rel})")
    return used


def _buttons_to(
    name: str, topic_examples: Sequence[str], answers: Dict[str, Response]
) -> List[str]:
    """The buttons whose question is one of the topic's examples, in plain words."""
    wanted = {normalise(text) for text in topic_examples}
    found: List[str] = []
    for response in answers.values():
        for title, payload in response.buttons:
            if payload and not payload.startswith("/") and normalise(payload) in wanted:
                under = (
                    f"the answer of topic '{response.name[len(FAQ_RESPONSE) :]}'"
                    if response.name.startswith(FAQ_RESPONSE)
                    else f"the message {response.name}"
                )
                found.append(
                    f"the button '{title}' under {under} asks it ({response.file.as_posix()})"
                )
    return found


def review_sources(review: Dict[str, Any]) -> List[str]:
    """The distinct source sentences of a response's review, in order."""
    seen: List[str] = []
    for claim in review.get("claims") or []:
        if claim.get("source") and claim["source"] not in seen:
            seen.append(str(claim["source"]))
    return seen


def topics(root: Path = ROOT) -> List[Topic]:
    """Every FAQ topic of the project, by name.

    Raises:
        ContentError: a data file is not valid YAML.
    """
    found = examples(root)
    answers = responses(root)
    reviews = claims(root)
    result: List[Topic] = []
    for name in _topic_names(found, answers):
        mine = [e for e in found if e.intent == f"{FAQ_INTENT}{name}"]
        answer = answers.get(f"{FAQ_RESPONSE}{name}")
        texts = [e.text for e in mine]
        result.append(
            Topic(
                name=name,
                examples=texts,
                answer=answer.text if answer else "",
                file=(answer.file if answer else FAQ_DIR / f"{name}.yml"),
                used_in=_steps_using(root, name) + _buttons_to(name, texts, answers),
                sources=review_sources(reviews.get(f"{FAQ_RESPONSE}{name}") or {}),
                example_files=sorted({e.file for e in mine}),
            )
        )
    return result


def topic(name: str, root: Path = ROOT) -> Topic:
    """The topic ``name``.

    Raises:
        KeyError: there is no such topic.
    """
    for found in topics(root):
        if found.name == name:
            return found
    raise KeyError(name)


def intent_of(target: str, root: Path = ROOT) -> Optional[str]:
    """The intent an example for ``target`` goes to: a topic's name gives ``faq/<name>``;
    a Teach label or its intent gives that intent; None for anything else."""
    if target in TEACH_LABELS:
        return TEACH_LABELS[target]
    if target in TEACH_LABELS.values():
        return target
    if TOPIC_NAME.match(target) and target in {t.name for t in topics(root)}:
        return f"{FAQ_INTENT}{target}"
    return None


# ---------------------------------------------------------------- writing


_local = threading.local()


@contextmanager
def locked(root: Path = ROOT) -> Iterator[None]:
    """Hold the project's data lock: one edit (or snapshot) at a time, across threads
    and processes. Re-entrant within a thread."""
    depth = getattr(_local, "depth", {})
    _local.depth = depth
    key = str(root.resolve())
    if depth.get(key):
        depth[key] += 1
        try:
            yield
        finally:
            depth[key] -= 1
        return
    path = root / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        depth[key] = 1
        try:
            yield
        finally:
            depth[key] = 0
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, so the file
    is always either the old or the new version, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def render_block(text: str, indent: int, width: int = ANSWER_WIDTH) -> str:
    """``text`` as a YAML block scalar (the part after ``key: ``): one paragraph folded
    (``>-``) at ``width``, several lines literal (``|-``), indented by ``indent``."""
    pad = " " * indent
    if "\n" not in text:
        lines = textwrap.wrap(
            text,
            width=max(width - indent, 20),
            break_long_words=False,
            break_on_hyphens=False,
        )
        return ">-\n" + "".join(f"{pad}{line}\n" for line in lines)
    return "|-\n" + "".join(f"{pad}{line}\n" if line else "\n" for line in text.split("\n"))


def _value_span(lines: List[str], line: int, parent_col: int) -> int:
    """The line after the value that starts on ``line``: its continuation lines are the
    blank ones and those indented deeper than its key (``parent_col``); blank lines at
    its end are left to what follows."""
    end = line + 1
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > parent_col):
        end += 1
    while end > line + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def replace_response_text(document: str, response: str, text: str, index: int = 0) -> str:
    """``document`` with the text of variation ``index`` of ``response`` replaced by
    ``text``; every other line as it was.

    Raises:
        KeyError: the document has no such response.
        ContentError: the edited document would not read back as intended.
    """
    data = _yaml_rt().load(document)
    variations = (data or {}).get("responses", {}).get(response)
    if not variations or not 0 <= index < len(variations) or "text" not in variations[index]:
        raise KeyError(response)
    variation = variations[index]
    _, key_col = variation.lc.key("text")
    value_line, value_col = variation.lc.value("text")
    lines = document.splitlines(keepends=True)
    end = _value_span(lines, value_line, key_col)
    head = lines[value_line][:value_col]
    edited = "".join(lines[:value_line]) + head + render_block(text, key_col + 2)
    edited += "".join(lines[end:])
    read_back = YAML(typ="safe", pure=True).load(edited)
    if read_back["responses"][response][index]["text"] != text:
        raise ContentError(f"The answer of {response} could not be written as intended.")
    return edited


def answer_sentences(text: str) -> List[Tuple[int, int]]:
    """Where each sentence of an answer is, as (start, end) positions; a list item's
    "- " and surrounding space are left out."""
    spans: List[Tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        start = offset
        stripped = line.lstrip()
        start += len(line) - len(stripped)
        if stripped.startswith(("- ", "* ")):
            start += 2
        for match in re.finditer(r"\S.*?(?:[.!?](?=\s|$)|$)", text[start : offset + len(line)]):
            if match.group().strip():
                spans.append((start + match.start(), start + match.end()))
        offset += len(line) + 1
    return spans


#: Text left between reviewed fragments that needs no review (tests/test_response_audit.py).
_FILLER = re.compile(r"^[\s\-.,;:!?()]*$")


def unreviewed_parts(text: str, review: Dict[str, Any]) -> Tuple[List[Dict[str, Any]], List[str]]:
    """The review items of ``review`` still true of ``text``, and the sentences (or parts)
    of ``text`` that none of them covers."""
    kept: List[Dict[str, Any]] = []
    covered = [False] * len(text)
    for item in (review.get("claims") or []) + (review.get("no_claim") or []):
        fragment = str(item.get("answer") or "")
        if not fragment or fragment not in text:
            continue
        kept.append(item)
        for found in re.finditer(re.escape(fragment), text):
            for position in range(found.start(), found.end()):
                covered[position] = True
    parts: List[str] = []
    for start, end in answer_sentences(text):
        run_start: Optional[int] = None
        for position in range(start, end + 1):
            inside = position < end and not covered[position]
            if inside and run_start is None:
                run_start = position
            elif not inside and run_start is not None:
                part = text[run_start:position].strip()
                if part and not _FILLER.match(part):
                    parts.append(part)
                run_start = None
    return kept, parts


def is_contact_only(sentence: str) -> bool:
    """A sentence with a clinic detail ({clinic_phone}) and otherwise only words about
    reaching or booking the clinic, besides at most one word of what to ask about ("For
    aftercare advice, call {clinic_phone}."): it makes no medical claim."""
    if not _PLACEHOLDER.search(sentence):
        return False
    return len(source_text.words(_PLACEHOLDER.sub(" ", sentence)) - CONTACT_WORDS) <= 1


#: The least support (staff.source.score) a new answer sentence must have from the source
#: sentences picked for it; below WEAK_SUPPORT it is saved with a warning.
MIN_SUPPORT = 0.2
WEAK_SUPPORT = 0.4


@dataclass
class Review:
    """An answer's review for content/claims.yml, and what could not be reviewed."""

    claims: List[Dict[str, str]] = field(default_factory=list)
    no_claim: List[Dict[str, str]] = field(default_factory=list)
    unsupported: List[str] = field(default_factory=list)
    weak: List[str] = field(default_factory=list)


def review_answer(
    text: str, sources: Sequence[str], old: Dict[str, Any], root: Path = ROOT
) -> Review:
    """Review each sentence of ``text``: as before when it is unchanged (``old``), else
    against the picked ``sources``; a sentence that only gives the clinic's contact
    details needs none."""
    result = Review()
    kept, parts = unreviewed_parts(text, old)
    for item in kept:
        target = result.claims if "source" in item else result.no_claim
        target.append({k: str(v) for k, v in item.items()})
    for part in parts:
        support = source_text.score(part, " ".join(sources), root) if sources else 0.0
        if support >= MIN_SUPPORT:
            result.claims += [
                {"answer": part, "source": s}
                for s in sources
                if source_text.score(part, s, root) > 0
            ]
            if support < WEAK_SUPPORT:
                result.weak.append(part)
        elif not source_text.words(part):
            result.no_claim.append({"answer": part, "why": "linking words, no medical content"})
        elif is_contact_only(part):
            result.no_claim.append({"answer": part, "why": CONTACT_REASON})
        else:
            result.unsupported.append(part)
    order = {part: text.find(part) for part in [i["answer"] for i in result.claims]}
    result.claims.sort(key=lambda item: order.get(item["answer"], 0))
    result.no_claim.sort(key=lambda item: text.find(item["answer"]))
    return result


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def render_review(response: str, review: Review, note: str) -> str:
    """The entry of ``response`` in content/claims.yml."""
    out = [f"  {response}:\n", f"    # {note}\n"]
    out.append("    claims:\n" if review.claims else "    claims: []\n")
    for claim in review.claims:
        out.append(f"    - answer: {_quoted(claim['answer'])}\n")
        out.append(f"      source: {_quoted(claim['source'])}\n")
    out.append("    no_claim:\n" if review.no_claim else "    no_claim: []\n")
    for item in review.no_claim:
        out.append(f"    - answer: {_quoted(item['answer'])}\n")
        out.append(f"      why: {_quoted(item.get('why', ''))}\n")
    return "".join(out)


def replace_review(document: str, response: str, entry: str) -> str:
    """``document`` (content/claims.yml) with the entry of ``response`` replaced by
    ``entry``, or ``entry`` added among the FAQ answers in name order."""
    data = _yaml_rt().load(document)
    reviews = data["responses"]
    lines = document.splitlines(keepends=True)
    if response in reviews:
        line, col = reviews.lc.key(response)
        end = _value_span(lines, line, col)
        return "".join(lines[:line]) + entry + "".join(lines[end:])
    faq = sorted(name for name in reviews if str(name).startswith(FAQ_RESPONSE))
    after = [name for name in faq if name > response]
    if after:
        line, _ = reviews.lc.key(after[0])
        return "".join(lines[:line]) + entry + "\n" + "".join(lines[line:])
    if faq:
        line, col = reviews.lc.key(faq[-1])
        end = _value_span(lines, line, col)
        return "".join(lines[:end]) + "\n" + entry + "".join(lines[end:])
    body = document if document.endswith("\n") else document + "\n"
    return body + entry


def who_of(who: str) -> str:
    """A staff member's name as written into a comment: one line, no odd characters."""
    name = re.sub(r"[^\w .@'-]", "", " ".join(who.split()))[:60].strip()
    return name or "staff"


def today() -> str:
    """Today's date (YYYY-MM-DD), as the comments of the data files give it."""
    return datetime.date.today().isoformat()


def refuse_if_blocking(problems: Sequence[Problem], what: str) -> None:
    """Raise ContentError naming ``what`` and the blocking problems, if there are any."""
    blocking = [p for p in problems if p.blocking]
    if blocking:
        raise ContentError(
            f"{what} was not saved: " + " ".join(p.message for p in blocking), blocking
        )


def audit(text: str, review: Dict[str, Any]) -> Tuple[List[str], str]:
    """Check a review against its answer as tests/test_response_audit.py does: the
    reviewed fragments no longer in the answer, and the answer's text no fragment covers
    ("" when all of it is reviewed). Fragments are taken out in the order listed."""
    stale: List[str] = []
    rest = text
    for item in (review.get("claims") or []) + (review.get("no_claim") or []):
        fragment = str(item.get("answer") or "")
        if fragment not in text:
            stale.append(fragment)
        rest = rest.replace(fragment, " ")
    leftover = re.sub(r"[\s\-.,;:!?()]+", "", rest)
    return stale, (rest.strip() if leftover else "")


def write_review(
    root: Path, response: str, text: str, review: Review, note: str
) -> Optional[Path]:
    """Write ``review`` as the entry of ``response`` in content/claims.yml, after
    checking that it covers ``text`` (the response's whole text); None when the project
    keeps no claims review."""
    path = root / CLAIMS
    if not path.is_file():
        return None
    as_dict: Dict[str, Any] = {"claims": review.claims, "no_claim": review.no_claim}
    if audit(text, as_dict) != ([], ""):
        # A short fragment inside a longer one would be taken out first: longest first.
        review.claims.sort(key=lambda item: -len(item["answer"]))
        review.no_claim.sort(key=lambda item: -len(item["answer"]))
        as_dict = {"claims": review.claims, "no_claim": review.no_claim}
        if audit(text, as_dict) != ([], ""):
            raise ContentError("The answer's sentences could not all be matched to its review.")
    document = path.read_text(encoding="utf-8")
    edited = replace_review(document, response, render_review(response, review, note))
    read_back = YAML(typ="safe", pure=True).load(edited)["responses"][response]
    if [c["answer"] for c in read_back.get("claims") or []] != [
        c["answer"] for c in review.claims
    ]:
        raise ContentError("The review of the answer could not be written as intended.")
    write_atomic(path, edited)
    return path


def save_answer(
    name: str, text: str, sources: List[str], who: str, root: Path = ROOT
) -> List[Path]:
    """Save a new answer for topic ``name``, reviewed against the picked ``sources``.

    The answer replaces the text of the topic's answer in its data file (the rest of the
    file unchanged), and its sentences are recorded in content/claims.yml: an
    unchanged sentence keeps its review, a new one is recorded against the picked source
    sentences that share its words.

    Returns:
        The files changed (none when the answer is unchanged).

    Raises:
        KeyError: there is no topic ``name`` with an answer.
        ContentError: a check found a blocking problem (listed in ``problems``).
    """
    from staff.checks import check_answer

    with locked(root):
        answer = responses(root).get(f"{FAQ_RESPONSE}{name}")
        if answer is None:
            raise KeyError(name)
        refuse_if_blocking(check_answer(name, text, sources, root), "The answer")
        cleaned = clean_answer(text)
        if cleaned == answer.text:
            return []  # unchanged: its file and its review stay as they are
        response = f"{FAQ_RESPONSE}{name}"
        path = root / answer.file
        document = path.read_text(encoding="utf-8")
        edited = replace_response_text(document, response, cleaned)
        review = review_answer(cleaned, sources, claims(root).get(response) or {}, root)
        changed = [path]
        if edited != document:
            write_atomic(path, edited)
        note = f"Answer edited in the staff app by {who_of(who)} on {today()}."
        written = write_review(root, response, cleaned, review, note)
        if written:
            changed.append(written)
        return changed


REVIEWED_HEADER = """\
version: "3.1"
# Staff-reviewed examples land here: training examples that clinic staff taught the
# assistant in the staff app (its Teach page), from what visitors really wrote, for
# {what}.
# Each one was checked before it was saved. It is an entry of its own, so that the comment
# above it can say who added it and when.
nlu:
"""


def _literal_example_item(intent: str, text: str, comment: str) -> str:
    return f"# {comment}\n- intent: {intent}\n  examples: |\n    - {text}\n"


def add_example(target: str, text: str, who: str, root: Path = ROOT) -> Path:
    """Add a staff-reviewed example for ``target`` (a topic's name, a Teach label or its
    intent) to data/nlu/reviewed/<topic or intent>.yml, with a comment saying who added
    it and when.

    Returns:
        The file changed.

    Raises:
        ContentError: a check found a blocking problem (listed in ``problems``).
    """
    from staff.checks import check_example

    with locked(root):
        refuse_if_blocking(check_example(target, text, root), "The example")
        intent = intent_of(target, root)
        if intent is None:  # pragma: no cover - check_example refuses it first
            raise ContentError(f"There is no topic '{target}'.")
        name = intent[len(FAQ_INTENT) :] if intent.startswith(FAQ_INTENT) else intent
        path = root / REVIEWED_DIR / f"{name}.yml"
        what = f"topic '{name}'" if intent.startswith(FAQ_INTENT) else f"'{topic_label(intent)}'"
        document = (
            path.read_text(encoding="utf-8")
            if path.is_file()
            else REVIEWED_HEADER.format(what=what)
        )
        if not document.endswith("\n"):
            document += "\n"
        cleaned = clean_example(text)
        edited = document + _literal_example_item(
            intent, cleaned, f"added by {who_of(who)} on {today()}"
        )
        last = (YAML(typ="safe", pure=True).load(edited).get("nlu") or [{}])[-1]
        if last.get("intent") != intent or example_lines(last.get("examples", "")) != [cleaned]:
            raise ContentError("The example could not be written as intended.")
        write_atomic(path, edited)
        return path


def render_topic(
    name: str, examples: Sequence[str], answer: str, source: str, who: str, date: str
) -> str:
    """The data file of a new topic, laid out as the existing ones: its examples, then its
    answer (with the "Book a consultation" button) under a comment that names the source
    sentence supporting it."""
    return (
        'version: "3.1"\n'
        "nlu:\n"
        f"- intent: {FAQ_INTENT}{name}\n"
        "  examples: |\n"
        + "".join(f"    - {example}\n" for example in examples)
        + "\n# The answer. Keep it to what the source text says; {clinic_...} values come "
        "from clinic.yml.\n"
        f"# Added in the staff app by {who} on {date}. The sentence of the source text\n"
        "# that supports it:\n" + _comment_lines(source) + "responses:\n"
        f"  {FAQ_RESPONSE}{name}:\n"
        "    - text: " + render_block(answer, 8) + "      buttons:\n"
        f"        - title: {_quoted(BOOKING_BUTTON['title'])}\n"
        f"          payload: {_quoted(BOOKING_BUTTON['payload'])}\n"
    )


def _comment_lines(text: str, prefix: str = "#   ") -> str:
    width = ANSWER_WIDTH + 4 - len(prefix)
    return "".join(f"{prefix}{line}\n" for line in textwrap.wrap(f'"{text}"', width=width))


def add_topic(
    name: str, examples: List[str], answer: str, source: str, who: str, root: Path = ROOT
) -> List[Path]:
    """Add the FAQ topic ``name``: data/nlu/faq/<name>.yml with its examples and its answer
    (with the "Book a consultation" button, as every topic has), and the answer's review
    in content/claims.yml against the source sentence ``source``.

    Returns:
        The files changed.

    Raises:
        ContentError: a check found a blocking problem (listed in ``problems``).
    """
    from staff.checks import check_new_topic

    with locked(root):
        refuse_if_blocking(
            check_new_topic(name, examples, answer, source, root), f"The topic '{name}'"
        )
        response = f"{FAQ_RESPONSE}{name}"
        cleaned_examples = [clean_example(e) for e in examples if clean_example(e)]
        cleaned = clean_answer(answer)
        document = render_topic(
            name, cleaned_examples, cleaned, source.strip(), who_of(who), today()
        )
        read_back = YAML(typ="safe", pure=True).load(document)
        if (
            example_lines(read_back["nlu"][0]["examples"]) != cleaned_examples
            or read_back["responses"][response][0]["text"] != cleaned
        ):
            raise ContentError(f"The topic '{name}' could not be written as intended.")
        path = root / FAQ_DIR / f"{name}.yml"
        if path.exists():  # pragma: no cover - check_new_topic refuses it first
            raise ContentError(f"There is already a topic '{name}'.")
        write_atomic(path, document)
        changed = [path]
        review = review_answer(cleaned, [source.strip()], {}, root)
        note = f"Topic added in the staff app by {who_of(who)} on {today()}."
        written = write_review(root, response, cleaned, review, note)
        if written:
            changed.append(written)
        return changed
