"""The one code that changes staff data: answers, examples, topics and the assistant's
own messages.

Every edit runs the same way: under the project's data lock (:func:`staff.yaml_edit.locked`,
one edit or publish snapshot at a time across threads and processes), it checks what it is
given once (:mod:`staff.checks`), refuses it when a problem blocks it, prepares the new
text of the data file and of the claims review (:mod:`staff.claims`) the way people wrote
them, writes them all or none (:func:`staff.yaml_edit.written_together`), records the change
in the history (:mod:`staff.history`) once they are in place (a history that cannot be
written puts the files back), and returns the files it changed with the warnings the checks
found. A caller (a page of the staff app, a script) does nothing else: it cannot forget a
check or a history entry, and an edit that was not saved changed nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence

from staff import data, history
from staff.checks import check_answer, check_example, check_new_topic
from staff.claims import review_answer, reviewed_claims
from staff.data import CLAIMS, FAQ_DIR, FAQ_INTENT, FAQ_RESPONSE, REVIEWED_DIR
from staff.history import History
from staff.messages import check_variation
from staff.problems import ContentError, Problem, refuse_if_blocking
from staff.yaml_edit import (
    comment_lines,
    locked,
    quoted,
    read_back,
    render_block,
    replace_response_text,
    today,
    who_of,
    written_together,
)

#: The buttons under a new topic's answer, as under the existing ones.
BOOKING_BUTTON = {"title": "Book a consultation", "payload": "/book_consultation"}

REVIEWED_HEADER = """\
version: "3.1"
# Staff-reviewed examples land here: training examples that clinic staff taught the
# assistant in the staff app (its Teach page), from what visitors really wrote, for
# {what}.
# Each one was checked before it was saved. It is an entry of its own, so that the comment
# above it can say who added it and when.
nlu:
"""


@dataclass(frozen=True)
class Saved:
    """What an edit did.

    Attributes:
        changed: the files written (none when the new text is the old one).
        warnings: what the checks found that does not stop a save.
    """

    changed: List[Path] = field(default_factory=list)
    warnings: List[Problem] = field(default_factory=list)


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
        "# that supports it:\n" + comment_lines(source) + "responses:\n"
        f"  {FAQ_RESPONSE}{name}:\n"
        "    - text: " + render_block(answer, 8) + "      buttons:\n"
        f"        - title: {quoted(BOOKING_BUTTON['title'])}\n"
        f"          payload: {quoted(BOOKING_BUTTON['payload'])}\n"
    )


def _warnings(problems: Sequence[Problem]) -> List[Problem]:
    return [p for p in problems if not p.blocking]


class Edits:
    """The edits of the project in ``root``, recorded in ``log`` (no history when None:
    a script working on a copy of the data).

    Each method raises :class:`ContentError` (with the checks' problems) when a check
    blocks the edit, the file would not read back as meant or a file cannot be written,
    and changes nothing then (no file, no history entry).
    """

    def __init__(self, root: Path, log: Optional[History] = None) -> None:
        self.root = root
        self.log = log

    def _record(self, who: str, action: str, **what: Optional[str]) -> None:
        if self.log is not None:
            self.log.record(who, action, **what)  # type: ignore[arg-type]

    def save_answer(self, name: str, text: str, sources: List[str], who: str) -> Saved:
        """Save a new answer for topic ``name``, reviewed against the picked ``sources``.

        The answer replaces the text of the topic's answer in its data file (the rest of
        the file unchanged), and its sentences are recorded in content/claims.yml: an
        unchanged sentence keeps its review, a new one is recorded against the picked
        source sentences that share its words.

        Raises:
            KeyError: there is no topic ``name`` with an answer.
            ContentError: a check found a blocking problem.
        """
        root = self.root
        response = f"{FAQ_RESPONSE}{name}"
        with locked(root):
            answer = data.responses(root).get(response)
            if answer is None:
                raise KeyError(name)
            problems = check_answer(name, text, sources, root)
            refuse_if_blocking(problems, "The answer")
            cleaned = data.clean_answer(text)
            if cleaned == answer.text:
                return Saved([], _warnings(problems))  # its file and review stay as they are
            path = root / answer.file
            document = path.read_text(encoding="utf-8")
            edited = replace_response_text(document, response, cleaned)
            review = review_answer(cleaned, sources, data.claims(root).get(response) or {}, root)
            note = f"Answer edited in the staff app by {who_of(who)} on {today()}."
            claims = reviewed_claims(root, response, cleaned, review, note)
            texts = {path: edited}
            if claims is not None:
                texts[root / CLAIMS] = claims
            with written_together(root, texts):
                self._record(
                    who, history.ANSWER_EDITED, subject=name, before=answer.text, after=cleaned
                )
            return Saved(list(texts), _warnings(problems))

    def add_example(
        self, target: str, text: str, who: str, visitor: Optional[str] = None
    ) -> Saved:
        """Add a staff-reviewed example for ``target`` (a topic's name, a Teach label or its
        intent) to data/nlu/reviewed/<topic or intent>.yml, with a comment saying who added
        it and when. ``visitor``: whose message it was taught from (the history says so,
        for ``make forget``; it is not written into the data).

        Raises:
            ContentError: a check found a blocking problem.
        """
        root = self.root
        with locked(root):
            problems = check_example(target, text, root)
            refuse_if_blocking(problems, "The example")
            intent = data.intent_of(target, root)
            if intent is None:  # pragma: no cover - check_example refuses it first
                raise ContentError(f"There is no topic '{target}'.")
            name = intent[len(FAQ_INTENT) :] if intent.startswith(FAQ_INTENT) else intent
            path = root / REVIEWED_DIR / f"{name}.yml"
            label = data.topic_label(intent)
            what = f"topic '{name}'" if intent.startswith(FAQ_INTENT) else f"'{label}'"
            document = (
                path.read_text(encoding="utf-8")
                if path.is_file()
                else REVIEWED_HEADER.format(what=what)
            )
            if not document.endswith("\n"):
                document += "\n"
            cleaned = data.clean_example(text)
            comment = f"added by {who_of(who)} on {today()}"
            edited = (
                document + f"# {comment}\n- intent: {intent}\n  examples: |\n    - {cleaned}\n"
            )
            last = (read_back(edited).get("nlu") or [{}])[-1]
            if last.get("intent") != intent or data.example_lines(last.get("examples", "")) != [
                cleaned
            ]:
                raise ContentError("The example could not be written as intended.")
            with written_together(root, {path: edited}):
                self._record(
                    who,
                    history.EXAMPLE_TAUGHT,
                    subject=label,
                    after=cleaned,
                    detail=history.taught_from(visitor) if visitor else "",
                )
            return Saved([path], _warnings(problems))

    def add_topic(
        self, name: str, examples: List[str], answer: str, source: str, who: str
    ) -> Saved:
        """Add the FAQ topic ``name``: data/nlu/faq/<name>.yml with its examples and its
        answer (with the "Book a consultation" button, as every topic has), and the
        answer's review in content/claims.yml against the source sentence ``source``.

        Raises:
            ContentError: a check found a blocking problem.
        """
        root = self.root
        with locked(root):
            problems = check_new_topic(name, examples, answer, source, root)
            refuse_if_blocking(problems, f"The topic '{name}'")
            response = f"{FAQ_RESPONSE}{name}"
            cleaned_examples = [c for c in map(data.clean_example, examples) if c]
            cleaned = data.clean_answer(answer)
            document = render_topic(
                name, cleaned_examples, cleaned, source.strip(), who_of(who), today()
            )
            written_back = read_back(document)
            if (
                data.example_lines(written_back["nlu"][0]["examples"]) != cleaned_examples
                or written_back["responses"][response][0]["text"] != cleaned
            ):
                raise ContentError(f"The topic '{name}' could not be written as intended.")
            path = root / FAQ_DIR / f"{name}.yml"
            if path.exists():  # pragma: no cover - check_new_topic refuses it first
                raise ContentError(f"There is already a topic '{name}'.")
            review = review_answer(cleaned, [source.strip()], {}, root)
            note = f"Topic added in the staff app by {who_of(who)} on {today()}."
            texts = {path: document}
            claims = reviewed_claims(root, response, cleaned, review, note)
            if claims is not None:
                texts[root / CLAIMS] = claims
            with written_together(root, texts):
                self._record(
                    who,
                    history.TOPIC_ADDED,
                    subject=name,
                    after=cleaned,
                    detail="\n".join(cleaned_examples),
                )
            return Saved(list(texts), _warnings(problems))

    def save_message(self, name: str, index: int, text: str, confirmed: bool, who: str) -> Saved:
        """Save ``text`` as variation ``index`` of the assistant's message ``name``
        (domain.yml), with its claims review.

        Raises:
            KeyError: there is no such message or variation.
            ContentError: a check found a blocking problem.
        """
        root = self.root
        with locked(root):
            checked = check_variation(name, index, text, confirmed, who, root)
            refuse_if_blocking(checked.problems, "The message")
            if checked.review is None:
                return Saved([], _warnings(checked.problems))  # unchanged
            path = root / data.DOMAIN
            document = path.read_text(encoding="utf-8")
            edited = replace_response_text(document, name, checked.cleaned, index)
            note = f"Message edited in the staff app by {who_of(who)} on {today()}."
            texts = {path: edited}
            claims = reviewed_claims(root, name, "\n".join(checked.texts), checked.review, note)
            if claims is not None:
                texts[root / CLAIMS] = claims
            with written_together(root, texts):
                self._record(
                    who,
                    history.MESSAGE_EDITED,
                    subject=name,
                    before=checked.found.variation(index).text,
                    after=checked.cleaned,
                )
            return Saved(list(texts), _warnings(checked.problems))
