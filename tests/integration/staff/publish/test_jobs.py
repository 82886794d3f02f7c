"""Publish jobs: a job whose process stopped mid-way is reported interrupted, and an
unknown job is not found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.publish_fakes import FakeRasa, publisher_for

pytestmark = pytest.mark.integration


def test_a_job_whose_process_stopped_is_reported_interrupted(
    data_root: Path, rasa: FakeRasa
) -> None:
    publisher = publisher_for(data_root, rasa)
    folder = publisher.jobs.folder / "20261126-100000-dead"
    folder.mkdir(parents=True)
    stopped = {"id": folder.name, "state": "running", "percent": 40, "stage": "Training"}
    (folder / "status.json").write_text(json.dumps(stopped))
    status = publisher_for(data_root, rasa).status(folder.name)
    assert status["state"] == "failed"
    assert status["problems"][0].startswith("The publish was interrupted")
    with pytest.raises(KeyError):
        publisher.status("20261126-100000-none")
