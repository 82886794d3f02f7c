"""The publish jobs' status (staff/publish/jobs.py): a job is named by an id the app made,
never by a path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from staff.publish.jobs import Jobs


@pytest.mark.parametrize(
    "job_id", ["..", "../secrets", "../../outside", "20260101-000000-ab/../x", "/etc", "a\\b"]
)
def test_a_job_id_that_is_a_path_is_no_job(tmp_path: Path, job_id: str) -> None:
    registry = tmp_path / "published"
    jobs = Jobs(registry)
    (jobs.folder / "20260101-000000-ab").mkdir(parents=True)
    # A status.json outside the jobs' folder, where a path as a job id would lead.
    for folder in (registry, tmp_path, registry / "secrets", tmp_path / "outside", jobs.folder):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "status.json").write_text(json.dumps({"state": "passed", "secret": 1}))
    with pytest.raises(KeyError):
        jobs.status(job_id)


def test_a_saved_job_is_found_by_its_id(tmp_path: Path) -> None:
    jobs = Jobs(tmp_path / "published")
    saved = jobs.folder / "20261206-081500-ab12"
    saved.mkdir(parents=True)
    (saved / "status.json").write_text(json.dumps({"id": saved.name, "state": "passed"}))
    assert jobs.status(saved.name)["state"] == "passed"
    assert jobs.status()["id"] == saved.name
