"""The training data as clinic staff see it: FAQ topics, their examples and answers.

A topic ``downtime`` is the retrieval intent ``faq/downtime`` (its question examples) and
the response ``utter_faq/downtime`` (its answer), both in ``data/nlu/faq/downtime.yml``.
Examples staff teach from real conversations are in ``data/nlu/reviewed/<topic>.yml`` (or
``<intent>.yml`` for personal advice, emergencies and off-topic messages).
``content/claims.yml`` records, for every answer, which sentence of the source text
supports each of its sentences (:mod:`staff.claims` reviews it).

This module only reads; :mod:`staff.edits` is the code that changes these files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from staff.problems import ContentError

ROOT = Path(__file__).resolve().parent.parent

FAQ_DIR = Path("data") / "nlu" / "faq"
REVIEWED_DIR = Path("data") / "nlu" / "reviewed"
DATA_DIR = Path("data")
#: The safety guard's patterns: YAML, but neither training data nor responses.
SAFETY_DIR = Path("data") / "safety"
DOMAIN = Path("domain.yml")
CLAIMS = Path("content") / "claims.yml"


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

#: Entity mark-up of Rasa's training data: [words](entity) or [words]{"entity": ...}.
_MARKUP = re.compile(r"\[([^\]]*)\](\([^)]*\)|\{[^}]*\})")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


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
    dropped, as tests/unit/data/test_training_data.py compares them ("what's" -> "whats")."""
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
