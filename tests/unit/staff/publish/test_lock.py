"""One publish or rollback at a time, across processes: the lock says who holds it, and a
rollback does not wait for a job to end but is refused while one runs."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from staff.publish import PublishBusy, lock
from tests.staff.publish.fakes import FakeRasa, edit_downtime, publisher_for, run


def test_the_lock_is_held_once_and_says_who_holds_it(tmp_path: Path) -> None:
    registry = tmp_path / "published"
    handle = lock.acquire(registry)
    handle.write("started by jo at 10:00 UTC, job 1\n")
    handle.flush()
    assert lock.held(registry)
    with pytest.raises(PublishBusy) as busy:
        lock.acquire(registry)  # a second open file, as another process's
    assert str(busy.value) == (
        "A publish is already running (started by jo at 10:00 UTC, job 1); wait until it "
        "has finished."
    )
    lock.release(handle)
    assert not lock.held(registry)


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
