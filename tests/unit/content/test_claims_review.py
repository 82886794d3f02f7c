"""Audit of every response: no doses, no guarantees, no prices, no unsupported claims.

Each response's medical claims are listed in content/claims.yml with the sentence of
the source text that supports them; a response or sentence missing from that reviewed list
fails here, so a changed answer is reviewed again before it ships. The patterns of what no
response may give are the staff app's own checks (staff/checks/answers.py), and the rule
that every sentence is reviewed is the claims review's own (staff/claims.py), so staff see
the same rules when they edit an answer. The checks themselves are in
tests/support/claims_audit.py: the staff app's tests run them on an edited copy.
"""

from __future__ import annotations

from typing import Any, Dict

import pytest
import yaml
from rasa.shared.core.domain import Domain

from staff.checks import FORBIDDEN
from staff.checks.answers import unsafe_links
from tests.support.claims_audit import (
    CLAIMS,
    SHARED_SOURCE,
    assert_every_claim_is_supported,
    assert_every_response_is_reviewed,
    assert_every_sentence_is_in_the_review,
    assert_no_response_gives,
    response_texts,
    source_text,
)


def test_the_source_copy_is_the_shared_source() -> None:
    """content/ holds the source text so a clone is self-contained; it must not drift."""
    if not SHARED_SOURCE.exists():
        pytest.skip(f"{SHARED_SOURCE} is not beside this clone")
    assert source_text() == SHARED_SOURCE.read_text(encoding="utf-8")


@pytest.mark.parametrize("what", sorted(FORBIDDEN))
def test_no_response_gives(what: str, domain: Domain) -> None:
    assert_no_response_gives(what, domain)


def test_no_response_links_anywhere_but_https_mailto_or_tel(domain: Domain) -> None:
    """The chat widget renders an answer's links as written: a javascript: or data: link
    would run in the visitor's browser (the staff checks refuse it too)."""
    found = {
        name: unsafe_links(text)
        for name, text in response_texts(domain).items()
        if unsafe_links(text)
    }
    assert found == {}


@pytest.fixture(scope="module")
def claims() -> Dict[str, Any]:
    data: Dict[str, Any] = yaml.safe_load(CLAIMS.read_text(encoding="utf-8"))["responses"]
    return data


def test_every_response_is_reviewed(domain: Domain, claims: Dict[str, Any]) -> None:
    assert_every_response_is_reviewed(domain, claims)


def test_every_claim_is_supported_by_a_sentence_of_the_source(claims: Dict[str, Any]) -> None:
    assert_every_claim_is_supported(claims)


def test_every_sentence_of_every_response_is_in_the_review(
    domain: Domain, claims: Dict[str, Any]
) -> None:
    """A response changed since its review leaves text not covered by the listed fragments."""
    assert_every_sentence_is_in_the_review(domain, claims)
