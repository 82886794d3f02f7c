"""The callbacks' "done" marks in the staff database and how long requests are kept
(staff/live/callbacks.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinic.config import Clinic, get_clinic
from staff.live import CallbackMarks, callback_keep_days
from tests.support.project import TEST_CLINIC_YAML_WITHOUT_HANDOFF
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


def test_requests_are_kept_as_clinic_yml_says_else_30_days(
    clinic: Clinic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert clinic.handoff is not None
    assert callback_keep_days() == clinic.handoff.callback_keep_days == 14

    without = tmp_path / "without-handoff.yml"
    without.write_text(TEST_CLINIC_YAML_WITHOUT_HANDOFF, encoding="utf-8")
    monkeypatch.setenv("CLINIC_CONFIG", str(without))
    get_clinic.cache_clear()
    assert callback_keep_days() == 30
