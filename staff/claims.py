"""The claims review: which sentence of the source text backs each sentence of an answer.

``content/claims.yml`` lists, for every response, its sentences that make a claim with
the source sentence that supports it (``claims``), and those that make none with why
(``no_claim``). An answer sentence nobody reviewed fails :func:`audit`, which
``tests/unit/content/test_claims_review.py`` runs over every response and every save runs
over the answer it writes; saving an answer records its new sentences against the source
sentences the staff member picked (:func:`review_answer`), and an unchanged sentence keeps
its review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from staff import source as source_text
from staff.data import CLAIMS, FAQ_RESPONSE
from staff.problems import ContentError
from staff.yaml_edit import quoted, read_back, round_trip, value_span

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


#: Text left between reviewed fragments that needs no review (the claims review's test,
#: tests/unit/content/test_claims_review.py).
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


def review_answer(text: str, sources: Sequence[str], old: Dict[str, Any], root: Path) -> Review:
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


def render_review(response: str, review: Review, note: str) -> str:
    """The entry of ``response`` in content/claims.yml."""
    out = [f"  {response}:\n", f"    # {note}\n"]
    out.append("    claims:\n" if review.claims else "    claims: []\n")
    for claim in review.claims:
        out.append(f"    - answer: {quoted(claim['answer'])}\n")
        out.append(f"      source: {quoted(claim['source'])}\n")
    out.append("    no_claim:\n" if review.no_claim else "    no_claim: []\n")
    for item in review.no_claim:
        out.append(f"    - answer: {quoted(item['answer'])}\n")
        out.append(f"      why: {quoted(item.get('why', ''))}\n")
    return "".join(out)


def replace_review(document: str, response: str, entry: str) -> str:
    """``document`` (content/claims.yml) with the entry of ``response`` replaced by
    ``entry``, or ``entry`` added among the FAQ answers in name order."""
    data = round_trip().load(document)
    reviews = data["responses"]
    lines = document.splitlines(keepends=True)
    if response in reviews:
        line, col = reviews.lc.key(response)
        end = value_span(lines, line, col)
        return "".join(lines[:line]) + entry + "".join(lines[end:])
    faq = sorted(name for name in reviews if str(name).startswith(FAQ_RESPONSE))
    after = [name for name in faq if name > response]
    if after:
        line, _ = reviews.lc.key(after[0])
        return "".join(lines[:line]) + entry + "\n" + "".join(lines[line:])
    if faq:
        line, col = reviews.lc.key(faq[-1])
        end = value_span(lines, line, col)
        return "".join(lines[:end]) + "\n" + entry + "".join(lines[end:])
    body = document if document.endswith("\n") else document + "\n"
    return body + entry


def audit(text: str, review: Dict[str, Any]) -> Tuple[List[str], str]:
    """Check a review against its answer as tests/unit/content/test_claims_review.py does: the
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


def reviewed_claims(
    root: Path, response: str, text: str, review: Review, note: str
) -> Optional[str]:
    """content/claims.yml with ``review`` as the entry of ``response``, after checking
    that it covers ``text`` (the response's whole text); None when the project keeps no
    claims review. Nothing is written: the edit writes it with the data file, both or
    neither (:func:`staff.yaml_edit.written_together`).

    Raises:
        ContentError: the review does not cover the answer, or would not read back.
    """
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
    written = read_back(edited)["responses"][response]
    if [c["answer"] for c in written.get("claims") or []] != [c["answer"] for c in review.claims]:
        raise ContentError("The review of the answer could not be written as intended.")
    return edited
