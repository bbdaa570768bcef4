"""The organisation's working calendar: weekdays minus Swedish public holidays and the de facto ones.

Municipal offices close on the public holidays (*helgdagar*) and on the de facto holidays
Midsommarafton, Julafton and Nyårsafton, so those are not working days either. Times are
interpreted in the organisation's time zone (Europe/Stockholm by default); storage stays UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@lru_cache(maxsize=64)
def _non_working_holidays(year: int) -> frozenset[date]:
    days = holidays.country_holidays(
        "SE", years=year, include_sundays=False, categories=("public", "de_facto")
    )
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _non_working_holidays(day.year)


def add_working_days(start: datetime, days: int, *, tz: ZoneInfo = STOCKHOLM) -> datetime:
    """The instant ``days`` working days after ``start``, at the same local time of day.

    A start on a non-working day counts from the beginning of the next working day, so a contact
    that arrives on Saturday is due at the end of Tuesday with two working days, not on Monday.
    Zero days is ``start`` itself: due at once.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if days <= 0:
        return start.astimezone(UTC)
    local = start.astimezone(tz)
    if not is_working_day(local.date()):
        day = local.date()
        while not is_working_day(day):
            day += timedelta(days=1)
        local = datetime.combine(day, datetime.min.time(), tz)
    day = local.date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    due = datetime.combine(day, local.timetz().replace(tzinfo=None), tz)
    return due.astimezone(UTC)


def add_working_hours(start: datetime, hours: float, *, tz: ZoneInfo = STOCKHOLM) -> datetime:
    """The instant ``hours`` hours after ``start`` with the hours of non-working days left out.

    A clock that stands still over weekends and holidays: 24 hours from Friday 15:00 end on Monday
    15:00, and a start on a Saturday counts from Monday 00:00.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    remaining = timedelta(hours=hours)
    local = start.astimezone(tz)
    day = local.date()
    while remaining > timedelta(0):
        if is_working_day(day):
            end_of_day = datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
            begin = max(local.astimezone(UTC), datetime.combine(day, time(0), tz).astimezone(UTC))
            if begin + remaining <= end_of_day:
                return begin + remaining
            remaining -= end_of_day - begin
        day += timedelta(days=1)
    return start.astimezone(UTC)


class Hours(Protocol):
    """Opening hours as the directory writes them (``lotsen.directory.OpeningHours``)."""

    @property
    def weekdays(self) -> list[int]: ...
    @property
    def opens(self) -> time: ...
    @property
    def closes(self) -> time: ...


# Longer than any run of closed days (Christmas to Epiphany is at most 8 in a row).
_LOOKAHEAD_DAYS = 31


def _windows(hours: Hours, start: datetime, tz: ZoneInfo) -> Iterator[tuple[datetime, datetime]]:
    """The open periods (UTC) that end after ``start``, in order: open days are working days among
    ``hours.weekdays``; a holiday is closed all day."""
    day = start.astimezone(tz).date()
    for _ in range(_LOOKAHEAD_DAYS):
        if day.weekday() in hours.weekdays and is_working_day(day) and hours.opens < hours.closes:
            opens = datetime.combine(day, hours.opens, tz).astimezone(UTC)
            closes = datetime.combine(day, hours.closes, tz).astimezone(UTC)
            if closes > start:
                yield max(opens, start.astimezone(UTC)), closes
        day += timedelta(days=1)


def is_open(hours: Hours, at: datetime, *, tz: ZoneInfo = STOCKHOLM) -> bool:
    """Whether ``at`` falls in the opening hours (never on a holiday)."""
    local = at.astimezone(tz)
    return (
        is_working_day(local.date())
        and local.weekday() in hours.weekdays
        and hours.opens <= local.time().replace(tzinfo=None) < hours.closes
    )


def next_opening(hours: Hours, at: datetime, *, tz: ZoneInfo = STOCKHOLM) -> datetime | None:
    """When the hours open next (UTC): ``at`` itself while open; ``None`` for hours that never open."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    return next((begin for begin, _ in _windows(hours, at, tz)), None)


def add_open_hours(
    hours: Hours, start: datetime, amount: float, *, tz: ZoneInfo = STOCKHOLM
) -> datetime | None:
    """The instant ``amount`` hours of opening time after ``start``: 4 open hours from Monday 16:00,
    with 07:30-17:00, end on Tuesday 10:30. ``None`` for hours that never open."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    remaining = timedelta(hours=amount)
    end: datetime | None = None
    for begin, closes in _windows(hours, start, tz):
        if begin + remaining <= closes:
            return begin + remaining
        remaining -= closes - begin
        end = closes
    return end
