"""Audit of every response: no doses, no guarantees, no prices, no unsupported claims.

Each response's medical claims are listed in content/claims.yml with the sentence of
the source text that supports them; a response or sentence missing from that reviewed list
fails here, so a changed answer is reviewed again before it ships. The patterns of what no
response may give are the staff app's own checks (staff/checks/answers.py), and the rule
that every sentence is reviewed is the claims review's own (staff/claims.py), so staff see
the same rules when they edit an answer.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

import pytest
import yaml
from rasa.shared.core.domain import Domain

from staff.checks import FORBIDDEN
from staff.claims import audit
from tests.conftest import ROOT

SOURCE = ROOT / "content" / "botox-for-acne-scars.txt"
SHARED_SOURCE = ROOT.parent / "shared" / "content" / "botox-for-acne-scars.txt"
CLAIMS = ROOT / "content" / "claims.yml"


def response_texts(domain: Domain) -> Dict[str, str]:
    """The text of every response (all variations joined)."""
    return {
        name: "\n".join(str(v.get("text", "")) for v in variations)
        for name, variations in domain.responses.items()
    }


def source_text() -> str:
    return SOURCE.read_text(encoding="utf-8")


def test_the_source_copy_is_the_shared_source() -> None:
    """content/ holds the source text so a clone is self-contained; it must not drift."""
    if not SHARED_SOURCE.exists():
        pytest.skip(f"{SHARED_SOURCE} is not beside this clone")
    assert source_text() == SHARED_SOURCE.read_text(encoding="utf-8")


@pytest.mark.parametrize("what", sorted(FORBIDDEN))
def test_no_response_gives(what: str, domain: Domain) -> None:
    found = [
        (name, pattern)
        for name, text in response_texts(domain).items()
        for pattern in FORBIDDEN[what]
        if re.search(pattern, text, re.IGNORECASE)
    ]
    assert found == [], f"responses that give {what}: {found}"


@pytest.fixture(scope="module")
def claims() -> Dict[str, Any]:
    data: Dict[str, Any] = yaml.safe_load(CLAIMS.read_text(encoding="utf-8"))["responses"]
    return data


def test_every_response_is_reviewed(domain: Domain, claims: Dict[str, Any]) -> None:
    assert sorted(set(response_texts(domain)) - set(claims)) == []
    assert sorted(set(claims) - set(response_texts(domain))) == []


def test_every_claim_is_supported_by_a_sentence_of_the_source(claims: Dict[str, Any]) -> None:
    source = source_text()
    unsupported: List[str] = []
    for name, review in claims.items():
        unsupported += [f"{name}: {text}" for text in review.get("unsupported") or []]
        for claim in review.get("claims") or []:
            if claim["source"] not in source:
                unsupported.append(f"{name}: source not found: {claim['source']}")
    assert unsupported == []


def test_every_sentence_of_every_response_is_in_the_review(
    domain: Domain, claims: Dict[str, Any]
) -> None:
    """A response changed since its review leaves text not covered by the listed fragments."""
    stale: List[str] = []
    for name, text in response_texts(domain).items():
        gone, leftover = audit(text, claims.get(name) or {})
        stale += [f"{name}: reviewed text no longer in the answer: {item}" for item in gone]
        if leftover:
            stale.append(f"{name}: not reviewed: {leftover}")
    assert stale == []
