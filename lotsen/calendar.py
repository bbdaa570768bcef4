"""The organisation's working calendar: weekdays minus Swedish public holidays and the de facto ones.

Municipal offices close on the public holidays (*helgdagar*) and on the de facto holidays
Midsommarafton, Julafton and Nyårsafton, so those are not working days either. Times are
interpreted in the organisation's time zone (Europe/Stockholm by default); storage stays UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
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
