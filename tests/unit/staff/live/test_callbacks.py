"""The callbacks' "done" marks in the staff database and how long requests are kept
(staff/live/callbacks.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from clinic.config import Clinic
from staff.live import CallbackMarks, callback_keep_days
from staff.live import callbacks as callbacks_module
from tests.support.staff_app import Clock


@pytest.fixture
def marks(tmp_path: Path, clock: Clock) -> CallbackMarks:
    return CallbackMarks(tmp_path / "staff.db", clock=clock)


def test_the_first_to_mark_a_request_done_is_kept(marks: CallbackMarks, clock: Clock) -> None:
    assert marks.mark_done(("visitor-1", 1000.5), "ana") is None
    clock.now += 60
    assert marks.mark_done(("visitor-1", 1000.5), "ben") == ("ana", clock.now - 60)
    assert marks.marks() == {("visitor-1", 1000.5): ("ana", clock.now - 60)}


def test_marks_of_requests_no_longer_kept_or_no_longer_there_go(
    marks: CallbackMarks, clock: Clock
) -> None:
    old, kept, purged = (
        ("old", clock.now - 40 * 86400),
        ("kept", clock.now - 86400),
        (
            "purged",
            clock.now - 3600,
        ),
    )
    for key in (old, kept, purged):
        marks.mark_done(key, "ana")
    assert marks.keep_only(marks.since(30), [kept]) == 2
    assert set(marks.marks()) == {kept}


def test_forget_deletes_a_visitors_marks(marks: CallbackMarks) -> None:
    marks.mark_done(("visitor-1", 1.0), "ana")
    marks.mark_done(("visitor-1", 2.0), "ana")
    marks.mark_done(("visitor-2", 1.0), "ana")
    assert marks.forget("visitor-1") == 2
    assert set(marks.marks()) == {("visitor-2", 1.0)}


def test_requests_are_kept_30_days_unless_clinic_yml_says(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert callback_keep_days() == 30

    @dataclass(frozen=True)
    class Handoff:  # what clinic.yml's handoff section gives (issue 17, Part 1)
        callback_keep_days: int = 14

    @dataclass(frozen=True)
    class WithHandoff:
        handoff: Handoff = Handoff()

    monkeypatch.setattr(callbacks_module, "get_clinic", WithHandoff)
    assert callback_keep_days() == 14
