"""One publish or rollback at a time, across processes: the lock says who holds it (a
rollback while a job runs: tests/integration/staff/publish/test_lock.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from staff.publish import PublishBusy, lock


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
