"""``GET /v1/stats/synpunkter``: the synpunkter per department they concern, by kind, with references.

The rules are in :mod:`services.stats.feedback`; this reads the cells a reader may see. Unlike the other
case figures, a handler's answer is not the cells of their departments but the synpunkter *concerning*
their departments, wherever the case is.
"""

from __future__ import annotations

from typing import Any

from services.stats.access import scope_of
from services.stats.aggregates import DIMENSIONS
from services.stats.deps import Figures
from services.stats.feedback import Concerned
from services.stats.query import Period, Slice, read_slices, sorted_groups, summed


async def case_slices(figures: Figures, period: Period, group_by: str | None = None) -> list[Slice]:
    """The case cells of ``period`` in the reader's organisations, *every* department's: a synpunkt
    concerning the reader's department may sit in another department's cell."""
    figures.scope = scope_of(figures.reader, "cases", period.organization)
    await figures.aggregator.flush()
    return await read_slices(
        figures.stats,
        "cases",
        period,
        days_only=group_by in ("day", "week"),
        now=figures.now,
        tz=figures.tz,
        organizations=figures.scope.organizations,
    )


async def synpunkter_figure(figures: Figures, period: Period, group_by: str | None) -> dict[str, Any]:
    """The synpunkter of ``period``: in total, by kind, and per group (by concerned department unless
    ``group_by`` says otherwise); a handler's, those concerning their departments."""
    grouping = group_by or "department"
    slices = await case_slices(figures, period, grouping)
    mine = figures.scope.departments
    if grouping == "department":
        total, _ = summed(slices, DIMENSIONS["cases"])
        concerned = Concerned(total, mine)
        rows = [{"key": d, **concerned.of(d)} for d in concerned.departments]
    else:
        total, groups = summed(slices, DIMENSIONS["cases"], grouping)
        concerned = Concerned(total, mine)
        rows = []
        for key, tally in sorted_groups(groups):
            row = Concerned(tally, mine).total()
            if row["count"]:
                rows.append({"key": key, **row})
    return figures.scoped({**concerned.total(), "groups": rows})


async def concerning_readers_departments(figures: Figures, period: Period) -> dict[str, Concerned] | None:
    """Per organisation, the synpunkter concerning the reader's departments, from every cell; None for
    a reader who sees every department (their cells already hold every synpunkt)."""
    departments = figures.scope.departments
    if departments is None:
        return None
    slices = await case_slices(figures, period)
    return {
        organization: Concerned(
            summed([p for p in slices if p.organization == organization], DIMENSIONS["cases"])[0], departments
        )
        for organization in {p.organization for p in slices}
    }
