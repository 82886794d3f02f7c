"""When the clinic's team answers in the chat: opening hours in the clinic's time zone.

``clinic.yml``'s ``handoff:`` section gives a time zone, hours for each day of the week
("09:00-18:00", or "closed") and closed days (holidays). :class:`OpeningHours` says whether
the team is in the chat at a moment (:meth:`~OpeningHours.is_open`) and when it is next
(:meth:`~OpeningHours.next_opening`); :func:`spoken` says that moment in words ("tomorrow
at 9:00 (GMT)"). :func:`now` is the clock the assistant judges the hours by: the real time,
or ``CLINIC_NOW`` for tests and demos (:func:`clinic.settings.fixed_now`).

Times are wall-clock times of the clinic's zone (``zoneinfo``, from the system's time zone
data), so "09:00" stays 9 o'clock across daylight saving changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import FrozenSet, Optional, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clinic import settings

#: The days of the week as clinic.yml names them, Monday first (``date.weekday()``).
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: What a day without chat hours says.
CLOSED = "closed"
_DAY = 24 * 60
#: "09:00-18:00"; an en dash (as word processors write it) is accepted too.
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})\s*[-\u2013]\s*(\d{1,2}):(\d{2})$")

#: A day's hours: minutes after midnight when the team starts and stops answering.
Span = Tuple[int, int]


def parse_span(text: str) -> Optional[Span]:
    """A day's hours from ``"09:00-18:00"`` (end up to ``24:00``), or ``None`` for "closed".

    Raises:
        ValueError: saying what is wrong with ``text``.
    """
    cleaned = text.strip()
    if cleaned.lower() == CLOSED:
        return None
    match = _SPAN.match(cleaned)
    if not match:
        raise ValueError("is not hours such as \"09:00-18:00\" or 'closed'")
    start_hour, start_minute, end_hour, end_minute = (int(part) for part in match.groups())
    if start_hour > 23 or end_hour > 24 or start_minute > 59 or end_minute > 59:
        raise ValueError("has a time that is not on a 24-hour clock (00:00 to 24:00)")
    start, end = start_hour * 60 + start_minute, end_hour * 60 + end_minute
    if end > _DAY:
        raise ValueError("ends after 24:00")
    if start >= end:
        raise ValueError("does not start before it ends (hours past midnight are not supported)")
    return start, end


def zone_of(name: str) -> ZoneInfo:
    """The time zone named ``name`` ("Europe/London").

    Raises:
        ValueError: when the system's time zone data has no such zone.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError("is not a time zone such as Europe/London or America/New_York") from error


@dataclass(frozen=True)
class OpeningHours:
    """When the team answers in the chat.

    Attributes:
        time_zone: the clinic's time zone ("Europe/London").
        week: each day's hours, Monday first; ``None`` for a closed day.
        closed_days: dates the chat is closed whatever the day (holidays).
    """

    time_zone: str
    week: Tuple[Optional[Span], ...]
    closed_days: FrozenSet[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def _span_on(self, day: date) -> Optional[Tuple[datetime, datetime]]:
        """The moments the chat opens and closes on ``day``, or ``None`` when closed."""
        span = None if day in self.closed_days else self.week[day.weekday()]
        if span is None:
            return None
        midnight = datetime.combine(day, time(0), tzinfo=self.zone)
        start, end = (midnight + timedelta(minutes=minutes) for minutes in span)
        # timedelta arithmetic on an aware datetime keeps the wall clock: "18:00" is 18:00
        # on a day the clocks change, too.
        return start, end

    def _local(self, at: datetime) -> datetime:
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"{at!r} has no time zone: give an aware datetime")
        return at.astimezone(self.zone)

    def is_open(self, at: datetime) -> bool:
        """Whether the team answers in the chat at ``at`` (an aware datetime)."""
        local = self._local(at)
        span = self._span_on(local.date())
        return span is not None and span[0] <= local < span[1]

    def next_opening(self, at: datetime) -> Optional[datetime]:
        """The first moment at or after ``at`` when the team answers, in the clinic's zone:
        ``at`` itself when open; ``None`` only when no day of the week has hours."""
        local = self._local(at)
        if not any(self.week):
            return None
        # Each week has an open day; each closed day can take one of them away.
        for offset in range(7 * (len(self.closed_days) + 2)):
            span = self._span_on(local.date() + timedelta(days=offset))
            if span is None or local >= span[1]:
                continue
            return max(span[0], local)
        return None


def now() -> datetime:
    """The time the assistant judges the opening hours by: ``CLINIC_NOW`` when set (tests,
    demos), else the real time."""
    return settings.fixed_now() or datetime.now(timezone.utc)


def moment_of(unix_time: float) -> datetime:
    """``unix_time`` as the opening hours judge it: ``CLINIC_NOW`` when set (a demo or a
    test fixes the clinic's clock for every part), else that time."""
    return settings.fixed_now() or datetime.fromtimestamp(unix_time, timezone.utc)


def spoken(moment: datetime, today: datetime) -> str:
    """``moment`` as a visitor reads it after "back": "today at 14:00 (GMT)", "tomorrow at
    9:00 (GMT)", "on Monday at 9:00 (GMT)", or with the date when a week or more away.

    Args:
        moment: when, in the clinic's zone (as :meth:`OpeningHours.next_opening` gives it).
        today: the present moment, which "today" and "tomorrow" are counted from.
    """
    local_today = today.astimezone(moment.tzinfo).date()
    clock = f"{moment.hour}:{moment.minute:02d}"
    zone = f" ({moment.tzname()})" if moment.tzname() else ""
    days = (moment.date() - local_today).days
    if days == 0:
        when = "today"
    elif days == 1:
        when = "tomorrow"
    elif days < 7:
        when = f"on {moment.strftime('%A')}"
    else:
        when = f"on {moment.strftime('%A')} {moment.day} {moment.strftime('%B')}"
    return f"{when} at {clock}{zone}"
