"""One publish or rollback at a time: a rollback does not wait for a job to end but is
refused while one runs (the lock itself: tests/unit/staff/publish/test_lock.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from staff.publish import PublishBusy
from tests.support.publish_fakes import FakeRasa, edit_downtime, publisher_for, run


@pytest.mark.integration
def test_a_rollback_waits_for_no_job_but_refuses_while_one_runs(
    data_root: Path, rasa: FakeRasa
) -> None:
    publisher = publisher_for(data_root, rasa)
    first = run(publisher)
    edit_downtime(data_root)
    rasa.gate = threading.Event()
    job_id = publisher.start("nurse")
    with pytest.raises(PublishBusy):
        publisher.rollback(first["published_id"], "manager")
    rasa.gate.set()
    publisher.wait(job_id, 60)
