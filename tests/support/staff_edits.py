"""Edits of a copy of the project's data through the staff app's one write path
(staff/edits.py), and what a test reads back: the data as Rasa loads it, the claims
review, and the audit of every response on the copy."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.importers.importer import TrainingDataImporter

from staff.checks import FORBIDDEN
from staff.data import CLAIMS
from staff.edits import Edits
from tests.support.claims_audit import (
    assert_every_claim_is_supported,
    assert_every_response_is_reviewed,
    assert_every_sentence_is_in_the_review,
    assert_no_response_gives,
)

DOWNTIME = Path("data/nlu/faq/downtime.yml")
NEW_DOWNTIME = (
    "Minimal downtime is required after the treatment, so most people go back to their day "
    "straight away. Common side effects may include bruising at the injection site, slight "
    "swelling and headaches."
)
DOWNTIME_SOURCE = (
    "The procedure typically lasts about 15 to 30 minutes, and minimal downtime is required."
)


def files(root: Path) -> Dict[str, bytes]:
    """Every file of ``root`` but the data lock (var/), by relative name."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).parts[0] != "var"
    }


def refuse_to_replace(monkeypatch: pytest.MonkeyPatch, target: Path) -> List[str]:
    """Make the first rename onto ``target`` fail as a read-only file system would (the
    second file of an edit that cannot be written); every other rename happens. The
    renames' targets, in order."""
    real = os.replace
    targets: List[str] = []

    def replace(source: Any, destination: Any) -> None:
        targets.append(str(destination))
        if Path(destination) == target and targets.count(str(destination)) == 1:
            raise PermissionError(13, "Permission denied", str(destination))
        real(source, destination)

    monkeypatch.setattr(os, "replace", replace)
    return targets


def save_answer(name: str, text: str, sources: List[str], who: str, root: Path) -> List[Path]:
    return Edits(root).save_answer(name, text, sources, who).changed


def add_example(target: str, text: str, who: str, root: Path) -> Path:
    changed = Edits(root).add_example(target, text, who).changed
    assert len(changed) == 1
    return changed[0]


def add_topic(
    name: str, examples: List[str], answer: str, source: str, who: str, root: Path
) -> List[Path]:
    return Edits(root).add_topic(name, examples, answer, source, who).changed


def project(root: Path) -> TrainingDataImporter:
    return TrainingDataImporter.load_from_config(
        str(root / "config.yml"), str(root / "domain.yml"), [str(root / "data")]
    )


def reviews(root: Path) -> Dict[str, Any]:
    found: Dict[str, Any] = yaml.safe_load((root / CLAIMS).read_text())["responses"]
    return found


def assert_the_audit_passes(root: Path) -> Domain:
    """The audit of every response (tests/unit/content/test_claims_review.py), on the copy."""
    domain = project(root).get_domain()
    claims = reviews(root)
    assert_every_response_is_reviewed(domain, claims)
    assert_every_sentence_is_in_the_review(domain, claims)
    assert_every_claim_is_supported(claims)
    for what in FORBIDDEN:
        assert_no_response_gives(what, domain)
    return domain
