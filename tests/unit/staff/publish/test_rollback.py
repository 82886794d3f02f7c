"""Rolling back: which files a rollback restores, also from versions published before a file
moved, and all of them or none (a rollback itself:
tests/integration/staff/publish/test_rollback.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from staff.data import CLAIMS
from staff.publish import PublishError
from staff.publish.files import archive
from staff.publish.rasa_api import ModelApi
from staff.publish.registry import Registry
from staff.publish.rollback import restored_files, rollback
from tests.support.staff_edits import DOWNTIME, files, refuse_to_replace


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


def test_a_rollback_that_cannot_write_one_file_changes_none(
    data_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data is restored all or nothing: when the last file (the claims review) cannot
    be written, the data files restored before it are put back (issue 16, finding 11)."""
    version = tmp_path / "version"
    shutil.copytree(data_root, version)
    write(version / DOWNTIME, (version / DOWNTIME).read_text().replace("Minimal", "Little"))
    write(version / "data" / "nlu" / "reviewed" / "pain.yml", 'version: "3.1"\nnlu: []\n')
    write(version / CLAIMS, (version / CLAIMS).read_text() + "\n# reviewed again\n")
    registry = Registry(tmp_path / "published", data_root, serving=lambda: None)
    folder = registry.folder / "20261101-100000-000-aaaaaaaaaaaa"
    folder.mkdir(parents=True)
    archive(version, folder / "data.tar.gz")
    meta = {"id": folder.name, "date": "2026-11-01T10:00:00Z", "data_hash": "a" * 12}
    (folder / "meta.json").write_text(json.dumps(meta))
    before = files(data_root)
    refuse_to_replace(monkeypatch, data_root / CLAIMS)

    with pytest.raises(Exception) as refused:
        rollback(registry, ModelApi(["http://127.0.0.1:9"], ""), folder.name, "ana")

    assert files(data_root) == before
    assert isinstance(refused.value, PublishError)
    assert str(refused.value) == (
        f"The data of version {folder.name} could not be restored, so nothing was changed: "
        "Nothing was saved: content/claims.yml could not be written (Permission denied)."
    )
