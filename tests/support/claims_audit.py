"""The audit of every response: no doses, no guarantees, no prices, no unsupported claims.

The checks of tests/unit/content/test_claims_review.py, on the project's domain and
claims review; the staff app's tests run them on an edited copy of the project
(:func:`tests.support.staff_edits.assert_the_audit_passes`).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa.shared.core.domain import Domain

from staff.checks import FORBIDDEN
from staff.claims import audit
from tests.support.project import ROOT

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


def assert_no_response_gives(what: str, domain: Domain) -> None:
    """No response matches a pattern of ``FORBIDDEN[what]`` (doses, guarantees, ...)."""
    found = [
        (name, pattern)
        for name, text in response_texts(domain).items()
        for pattern in FORBIDDEN[what]
        if re.search(pattern, text, re.IGNORECASE)
    ]
    assert found == [], f"responses that give {what}: {found}"


def assert_every_response_is_reviewed(domain: Domain, claims: Dict[str, Any]) -> None:
    assert sorted(set(response_texts(domain)) - set(claims)) == []
    assert sorted(set(claims) - set(response_texts(domain))) == []


def assert_every_claim_is_supported(claims: Dict[str, Any]) -> None:
    """Every claim's source sentence is in the source text; nothing is left unsupported."""
    source = source_text()
    unsupported: List[str] = []
    for name, review in claims.items():
        unsupported += [f"{name}: {text}" for text in review.get("unsupported") or []]
        for claim in review.get("claims") or []:
            if claim["source"] not in source:
                unsupported.append(f"{name}: source not found: {claim['source']}")
    assert unsupported == []


def assert_every_sentence_is_in_the_review(domain: Domain, claims: Dict[str, Any]) -> None:
    """A response changed since its review leaves text not covered by the listed fragments."""
    stale: List[str] = []
    for name, text in response_texts(domain).items():
        gone, leftover = audit(text, claims.get(name) or {})
        stale += [f"{name}: reviewed text no longer in the answer: {item}" for item in gone]
        if leftover:
            stale.append(f"{name}: not reviewed: {leftover}")
    assert stale == []
