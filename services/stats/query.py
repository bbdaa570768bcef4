"""Reading the pre-aggregates for a period: whole months from the month documents, the rest from days.

A period is a range of Stockholm local dates, inclusive at both ends (either end may be open). It is
split into the whole months inside it, read from ``buckets_month``, and the days at its edges, read
from ``buckets_day``; grouping by day or week reads days only. Every cell's tally is then added to
the total and to its group: a time key (``2026-03-02``, ``2026-W10``, ``2026-03``, ``2026-T1``), the
organisation, or one of the cell's dimensions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.stats.aggregates import Cells, cells_from_docs
from services.stats.backlog import settle_backlog
from services.stats.email import settle_email
from services.stats.figures import TIME_GROUPS, InvalidGrouping, last_day_of_month, month_key, time_key
from services.stats.repository import StatsRepository
from services.stats.tally import Tally
from services.stats.updates import Kind


@dataclass(frozen=True)
class Period:
    lower: date | None = None
    upper: date | None = None
    organization: str | None = None


@dataclass(frozen=True)
class Slice:
    organization: str
    day: date | None  # None for a whole month
    month: str
    cells: Cells


def month_ranges(period: Period) -> tuple[tuple[str | None, str | None] | None, list[tuple[str, str]]]:
    """(the whole months inside the period, the day ranges at its edges), as inclusive string bounds."""
    lower, upper = period.lower, period.upper
    first_full = (
        None if lower is None else lower if lower.day == 1 else last_day_of_month(lower) + timedelta(1)
    )
    last_full = None
    if upper is not None:
        last_full = upper.replace(day=1)
        if upper != last_day_of_month(upper):  # the month of ``upper`` is partial: the one before is whole
            last_full = (last_full - timedelta(days=1)).replace(day=1)
    if first_full is not None and last_full is not None and first_full > last_full:
        assert lower is not None and upper is not None
        return None, [(lower.isoformat(), upper.isoformat())]
    months = (
        f"{first_full:%Y-%m}" if first_full else None,
        f"{last_full:%Y-%m}" if last_full else None,
    )
    days = []
    if lower is not None and lower.day != 1:
        days.append((lower.isoformat(), last_day_of_month(lower).isoformat()))
    if upper is not None and upper != last_day_of_month(upper):
        days.append((upper.replace(day=1).isoformat(), upper.isoformat()))
    return months, days


def settle(kind: Kind, cells: Cells, now: datetime, tz: ZoneInfo) -> Cells:
    """Resolve each cell's *now*-dependent marks into counts before cells are added up: a
    tertial then adds small tallies instead of merging thousands of deadlines and days."""
    for tally in cells.values():
        if kind == "cases":
            settle_email(tally, now)
            settle_backlog(tally, now, tz)
        elif kind == "calls":
            tally.marks.pop("pending_since", None)  # only the calls-waiting gauge reads these
    return cells


async def read_slices(
    stats: StatsRepository,
    kind: Kind,
    period: Period,
    *,
    days_only: bool,
    now: datetime | None = None,
    tz: ZoneInfo | None = None,
    organizations: tuple[str, ...] | None = None,
) -> list[Slice]:
    """The slices of ``period`` (and of ``organizations`` only, when given); with ``now`` (and
    ``tz``) their marks are settled as of ``now``."""
    day_ranges: list[tuple[str | None, str | None]]
    if days_only:
        month_range, day_ranges = None, [(_iso(period.lower), _iso(period.upper))]
    else:
        month_range, edges = month_ranges(period)
        day_ranges = list(edges)
    org = period.organization

    def cells(doc: dict[str, Any]) -> Cells:
        found = cells_from_docs(kind, doc["cells"])
        return settle(kind, found, now, tz) if now is not None and tz is not None else found

    slices: list[Slice] = []
    if month_range is not None:
        for doc in await stats.buckets(
            "month", kind, organization=org, ranges=[month_range], organizations=organizations
        ):
            slices.append(Slice(doc["organization"], None, doc["month"], cells(doc)))
    if day_ranges:
        for doc in await stats.buckets(
            "day", kind, organization=org, ranges=list(day_ranges), organizations=organizations
        ):
            slices.append(
                Slice(doc["organization"], date.fromisoformat(doc["day"]), doc["month"], cells(doc))
            )
    return slices


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def group_key(group_by: str, piece: Slice, dims: dict[str, Any]) -> Any:
    if group_by in TIME_GROUPS:
        if piece.day is not None:
            return time_key(group_by, piece.day)
        return month_key(piece.month, group_by)
    if group_by == "organization":
        return piece.organization
    return dims[group_by]


def summed(
    slices: list[Slice],
    dimensions: tuple[str, ...],
    group_by: str | None = None,
    where: dict[str, Any] | None = None,
) -> tuple[Tally, dict[Any, Tally]]:
    """The total and the per-group tallies of the cells matching ``where`` (dimension → value)."""
    if group_by and group_by not in (*TIME_GROUPS, "organization", *dimensions):
        raise InvalidGrouping(
            f"these figures cannot be grouped by {group_by!r}; use one of "
            + ", ".join((*TIME_GROUPS, "organization", *dimensions))
        )
    total = Tally()
    groups: dict[Any, Tally] = {}
    for piece in slices:
        for key, tally in piece.cells.items():
            dims = dict(zip(dimensions, key, strict=True))
            if where and any(dims.get(name) != value for name, value in where.items()):
                continue
            total.add(tally)
            if group_by:
                group = group_key(group_by, piece, dims)
                if group not in groups:
                    groups[group] = Tally()
                groups[group].add(tally)
    return total, groups


def sorted_groups(groups: dict[Any, Tally]) -> list[tuple[Any, Tally]]:
    """Groups in key order (chronological for time keys); no key (None) last."""
    return sorted(groups.items(), key=lambda item: (item[0] is None, str(item[0])))
