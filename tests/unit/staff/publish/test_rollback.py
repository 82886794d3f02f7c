"""Rolling back: which files a rollback restores, also from versions published before a file
moved (a rollback itself: tests/integration/staff/publish/test_rollback.py)."""

from __future__ import annotations

from pathlib import Path

from staff.publish.rollback import restored_files


def write(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_the_data_and_the_claims_review_are_restored_but_not_the_safety_patterns(
    tmp_path: Path,
) -> None:
    faq = write(tmp_path / "data" / "nlu" / "faq" / "pain.yml")
    claims = write(tmp_path / "content" / "claims.yml")
    write(tmp_path / "data" / "safety" / "emergency.yml")
    write(tmp_path / "data" / ".hidden.yml")
    assert restored_files(tmp_path) == {
        "data/nlu/faq/pain.yml": faq,
        "content/claims.yml": claims,
    }


def test_a_version_published_before_the_claims_moved_restores_them_in_their_new_place(
    tmp_path: Path,
) -> None:
    old = write(tmp_path / "tests" / "content_claims.yml", "reviews: {}")
    assert restored_files(tmp_path) == {"content/claims.yml": old}
