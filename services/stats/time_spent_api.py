"""``GET /v1/stats/time-spent``: tidsåtgång of calls and written errands (definitions: time_spent.py,
docs/figures.md).

Calls are kept per answer group and cases per department, so one answer holds both parts: a
department handler reads the written part of their departments, with ``calls`` null and
``calls_withheld`` saying why, instead of a 403 for the whole request. With ``group_by`` a case-only
dimension (department, category, ROSA level, channel, handled_by) each group's ``calls`` is null:
calls have no such dimension; the totals still give them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.stats.calls import CALL_DIMENSIONS
from services.stats.deps import CommonDep, FiguresDep
from services.stats.figures import TIME_GROUPS
from services.stats.models import Key
from services.stats.query import sorted_groups
from services.stats.tally import Tally
from services.stats.time_spent import calls_time, written_time

router = APIRouter(tags=["stats"])

CALLS_WITHHELD = "calls are kept per answer group, not per department; a supervisor reads them"


class Spread(BaseModel):
    count: int
    total_seconds: float
    mean_seconds: float | None
    median_seconds: float | None
    p90_seconds: float | None


class CallsTime(BaseModel):
    count: int = Field(description="answered calls")
    talk: Spread
    wrap_up: Spread
    handling: Spread = Field(description="talk + wrap-up, of the calls with both")


class WrittenTime(BaseModel):
    count: int = Field(description="cases timed: taken up, then replied to")
    untimed: int = Field(description="cases replied to at or before their first take-up")
    handling: Spread
    first_line: Spread
    department: Spread


class TimeSpentGroup(BaseModel):
    key: Key
    calls: CallsTime | None
    written: WrittenTime


class TimeSpentFigure(BaseModel):
    calls: CallsTime | None
    calls_withheld: str | None = None
    written: WrittenTime
    groups: list[TimeSpentGroup] | None = None


@router.get(
    "/v1/stats/time-spent",
    summary="Tidsåtgång: talk, wrap-up and handling time of calls; handling time of written errands",
    responses={200: {"model": TimeSpentFigure}},
)
async def get_time_spent(common: CommonDep, figures: FiguresDep) -> dict[str, Any]:
    group_by = common.group_by
    calls_by = group_by if group_by in (*TIME_GROUPS, "organization", *CALL_DIMENSIONS) else None
    handler = figures.reader is not None and figures.reader.role == "handler"
    call_total, call_groups = Tally(), dict[Any, Tally]()
    if not handler:
        call_total, call_groups = await figures.tallies("calls", common.period, calls_by)
    case_total, case_groups = await figures.tallies("cases", common.period, group_by)

    def calls_of(tally: Tally | None) -> dict[str, Any] | None:
        return None if handler or tally is None else calls_time(tally)

    body: dict[str, Any] = {"calls": calls_of(call_total), "written": written_time(case_total)}
    if handler:
        body["calls_withheld"] = CALLS_WITHHELD
    if group_by:
        keys = dict(sorted_groups({**dict.fromkeys(call_groups, Tally()), **case_groups}))
        body["groups"] = [
            {
                "key": key,
                "calls": calls_of(call_groups.get(key, Tally()) if calls_by else None),
                "written": written_time(case_groups.get(key, Tally())),
            }
            for key in keys
        ]
    return figures.scoped(body)
