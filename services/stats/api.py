"""The figures API (DESIGN §4–§5). Local dates are Europe/Stockholm days; storage is UTC."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from lotsen.auth import OptionalPrincipal
from lotsen.errors import DomainError, Unauthorized
from services.stats.repository import StatsRepository

router = APIRouter(tags=["stats"])

VolumeGroup = Literal[
    "channel", "department", "category", "organization", "rosa_level", "answer_group", "handled_by"
]


class InvalidPeriod(DomainError):
    status = 422
    code = "invalid_period"


async def _reader(request: Request, principal: OptionalPrincipal) -> None:
    if request.app.state.settings.require_token and principal is None:
        raise Unauthorized("log in to read the figures")


Reader = Annotated[None, Depends(_reader)]


class VolumeGroupRow(BaseModel):
    key: str | int | None
    count: int


class Volumes(BaseModel):
    total: int
    groups: list[VolumeGroupRow]


def local_range(
    request: Request, start: date | None, end: date | None
) -> tuple[datetime | None, datetime | None]:
    """[from 00:00, the day after ``to`` 00:00) in the organisation's time zone, as aware datetimes."""
    if start and end and end < start:
        raise InvalidPeriod(f"'to' ({end}) is before 'from' ({start})")
    tz = ZoneInfo(request.app.state.settings.timezone)
    lower = datetime.combine(start, time(0), tz) if start else None
    upper = datetime.combine(end + timedelta(days=1), time(0), tz) if end else None
    return lower, upper


@router.get("/v1/stats/volumes", response_model=Volumes, summary="Cases by channel, department, category, …")
async def volumes(
    request: Request,
    reader: Reader,
    from_: Annotated[date | None, Query(alias="from", description="first local date, inclusive")] = None,
    to: Annotated[date | None, Query(description="last local date, inclusive")] = None,
    organization: str | None = None,
    group_by: VolumeGroup | None = None,
) -> Volumes:
    lower, upper = local_range(request, from_, to)
    total, rows = await StatsRepository(request.app.state.runtime.db).count_cases(
        start=lower, end=upper, organization=organization, group_by=group_by
    )
    groups = sorted(
        (VolumeGroupRow(key=key, count=count) for key, count in rows), key=lambda g: (-g.count, str(g.key))
    )
    return Volumes(total=total, groups=groups)
