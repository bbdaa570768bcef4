"""What every figure shares: ratios with an empty denominator, targets, and the period keys."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from lotsen.errors import DomainError

Target = float | None

TimeGroup = Literal["day", "week", "month", "tertial"]
TIME_GROUPS: tuple[TimeGroup, ...] = ("day", "week", "month", "tertial")
TERTIALS = {1: (1, 4), 2: (5, 8), 3: (9, 12)}


class InvalidPeriod(DomainError):
    status = 422
    code = "invalid_period"


class InvalidGrouping(DomainError):
    status = 422
    code = "invalid_group_by"


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


def met(value: float | None, target: Target, *, higher_is_better: bool = True) -> bool | None:
    if value is None or target is None:
        return None
    return value >= target if higher_is_better else value <= target


def tertial_of(month: int) -> int:
    return (month - 1) // 4 + 1


def time_key(group: TimeGroup, day: date) -> str:
    match group:
        case "day":
            return day.isoformat()
        case "week":
            year, week, _ = day.isocalendar()
            return f"{year}-W{week:02d}"
        case "month":
            return f"{day:%Y-%m}"
        case "tertial":
            return f"{day.year}-T{tertial_of(day.month)}"


def month_key(month: str, group: TimeGroup) -> str:
    """The key of a whole month (``2026-03``) under a month or tertial grouping."""
    if group == "month":
        return month
    year, number = month.split("-")
    return f"{year}-T{tertial_of(int(number))}"


def last_day_of_month(day: date) -> date:
    first_next = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_next - timedelta(days=1)


def parse_tertial(period: str) -> tuple[date, date]:
    """``2026-T1`` → (2026-01-01, 2026-04-30); T1 Jan–Apr, T2 May–Aug, T3 Sep–Dec."""
    year_text, _, tertial_text = period.partition("-T")
    if not (year_text.isdigit() and len(year_text) == 4 and tertial_text in {"1", "2", "3"}):
        raise InvalidPeriod(
            f"period {period!r} is not a tertial; "
            "write YYYY-T1 (Jan–Apr), YYYY-T2 (May–Aug) or YYYY-T3 (Sep–Dec)"
        )
    year = int(year_text)
    first, last = TERTIALS[int(tertial_text)]
    return date(year, first, 1), last_day_of_month(date(year, last, 1))


def parse_month(month: str) -> tuple[date, date]:
    try:
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise InvalidPeriod(f"month {month!r} is not a month; write YYYY-MM, e.g. 2026-03") from None
    if len(month) != 7:
        raise InvalidPeriod(f"month {month!r} is not a month; write YYYY-MM, e.g. 2026-03")
    return first, last_day_of_month(first)
