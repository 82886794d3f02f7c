"""The chat's opening hours: open or not at a moment, when it opens next, said in words."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from clinic import hours
from clinic.hours import OpeningHours, parse_span, spoken

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = ("09:00-18:00",) * 5

#: The contract's example: weekdays 9 to 6, Saturday 10 to 2, Sunday closed, Christmas off.
CLINIC = OpeningHours(
    time_zone="Europe/London",
    week=tuple(parse_span(t) for t in (*WEEKDAYS, "10:00-14:00", "closed")),
    closed_days=frozenset({date(2026, 12, 25), date(2026, 12, 26)}),
)


def at(text: str) -> datetime:
    """A wall-clock time in London."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("09:00-18:00", (540, 1080)),
        ("9:30 - 17:45", (570, 1065)),
        ("08:00\u201312:00", (480, 720)),  # an en dash, as word processors write it
        ("00:00-24:00", (0, 1440)),
        ("closed", None),
        (" Closed ", None),
    ],
)
def test_a_days_hours_are_read(text: str, span: object) -> None:
    assert parse_span(text) == span


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("9 to 5", "is not hours such as"),
        ("09:00", "is not hours such as"),
        ("25:00-26:00", "not on a 24-hour clock"),
        ("09:60-18:00", "not on a 24-hour clock"),
        ("18:00-09:00", "does not start before it ends"),
        ("22:00-02:00", "does not start before it ends"),
        ("09:00-09:00", "does not start before it ends"),
        ("09:00-24:30", "ends after 24:00"),
    ],
)
def test_hours_that_cannot_be_read_say_why(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_span(text)


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        ("2026-12-09 08:59:59", False),  # Wednesday, before 9
        ("2026-12-09 09:00", True),
        ("2026-12-09 17:59", True),
        ("2026-12-09 18:00", False),  # closing time: closed
        ("2026-12-12 11:00", True),  # Saturday
        ("2026-12-12 14:30", False),
        ("2026-12-13 11:00", False),  # Sunday: closed
        ("2026-12-25 11:00", False),  # a Friday, but a closed day
        ("2026-12-28 11:00", True),  # the Monday after
    ],
)
def test_open_during_the_days_hours_only(moment: str, is_open: bool) -> None:
    assert CLINIC.is_open(at(moment)) is is_open


def test_a_moment_in_another_zone_is_judged_at_the_clinic() -> None:
    # 08:30 in New York is 13:30 in London (December): open.
    new_york = datetime(2026, 12, 9, 8, 30, tzinfo=ZoneInfo("America/New_York"))
    assert CLINIC.is_open(new_york)
    # 17:30 UTC in summer is 18:30 in London (BST): closed.
    assert not CLINIC.is_open(datetime(2026, 7, 8, 17, 30, tzinfo=timezone.utc))
    assert CLINIC.is_open(datetime(2026, 7, 8, 16, 30, tzinfo=timezone.utc))


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        CLINIC.is_open(datetime(2026, 12, 9, 10, 0))


def test_hours_stay_wall_clock_hours_across_the_clock_change() -> None:
    # The clocks go forward on Sunday 29 March 2026; Monday 9:00 BST is 8:00 UTC.
    assert CLINIC.next_opening(at("2026-03-28 15:00")) == at("2026-03-30 09:00")
    assert CLINIC.is_open(datetime(2026, 3, 30, 8, 0, tzinfo=timezone.utc))
    assert not CLINIC.is_open(datetime(2026, 3, 30, 7, 59, tzinfo=timezone.utc))


@pytest.mark.parametrize(
    ("moment", "opening"),
    [
        ("2026-12-09 07:00", "2026-12-09 09:00"),  # before opening: today
        ("2026-12-09 10:15", "2026-12-09 10:15"),  # open: now
        ("2026-12-09 18:30", "2026-12-10 09:00"),  # after closing: tomorrow
        ("2026-12-12 15:00", "2026-12-14 09:00"),  # Saturday afternoon: Monday
        ("2026-12-24 18:00", "2026-12-28 09:00"),  # Christmas Eve: past the closed days
    ],
)
def test_the_next_opening(moment: str, opening: str) -> None:
    assert CLINIC.next_opening(at(moment)) == at(opening)


def test_no_opening_when_no_day_has_hours() -> None:
    never = OpeningHours(time_zone="Europe/London", week=(None,) * 7)
    assert never.next_opening(at("2026-12-09 10:00")) is None
    assert not never.is_open(at("2026-12-09 10:00"))


@pytest.mark.parametrize(
    ("moment", "opening", "words"),
    [
        ("2026-12-09 07:00", "2026-12-09 09:00", "today at 9:00 (GMT)"),
        ("2026-12-09 18:30", "2026-12-10 09:00", "tomorrow at 9:00 (GMT)"),
        ("2026-12-12 15:00", "2026-12-14 09:00", "on Monday at 9:00 (GMT)"),
        ("2026-12-24 18:00", "2026-12-28 09:00", "on Monday at 9:00 (GMT)"),
        ("2026-12-18 18:00", "2026-12-28 10:30", "on Monday 28 December at 10:30 (GMT)"),
        ("2026-07-08 19:00", "2026-07-09 09:00", "tomorrow at 9:00 (BST)"),
    ],
)
def test_the_opening_in_words(moment: str, opening: str, words: str) -> None:
    assert spoken(at(opening), at(moment)) == words


def test_today_is_the_clinics_today() -> None:
    # 23:30 in New York on Wednesday is Thursday 04:30 in London: 9:00 is "today".
    late = datetime(2026, 12, 9, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    assert spoken(at("2026-12-10 09:00"), late) == "today at 9:00 (GMT)"


def test_the_clock_is_the_real_time_unless_clinic_now_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CLINIC_NOW", raising=False)
    before = datetime.now(timezone.utc)
    assert before <= hours.now() <= datetime.now(timezone.utc)
    monkeypatch.setenv("CLINIC_NOW", "2026-12-09T10:30:00-05:00")
    assert hours.now() == datetime(2026, 12, 9, 15, 30, tzinfo=timezone.utc)
    monkeypatch.setenv("CLINIC_NOW", "2026-12-09T15:30:00Z")
    assert hours.now() == datetime(2026, 12, 9, 15, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("value", ["tomorrow", "2026-12-09T10:30:00"])
def test_a_clinic_now_without_an_offset_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CLINIC_NOW", value)
    with pytest.raises(ValueError, match=f"CLINIC_NOW is '{value}', which is not a date"):
        hours.now()
