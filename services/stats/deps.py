"""What every figure route needs: the reader check, the common parameters, fresh aggregates, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import Depends, Query, Request

from lotsen.auth import OptionalPrincipal
from lotsen.errors import Unauthorized
from services.stats.aggregates import DIMENSIONS, Aggregator
from services.stats.figures import InvalidPeriod
from services.stats.query import Period, Slice, read_slices, sorted_groups, summed
from services.stats.repository import StatsRepository
from services.stats.settings import StatsSettings
from services.stats.tally import Tally
from services.stats.updates import Kind

GroupBy = Literal[
    "day",
    "week",
    "month",
    "tertial",
    "answer_group",
    "department",
    "channel",
    "category",
    "organization",
    "rosa_level",
    "handled_by",
]
Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    return datetime.now(UTC)


async def _reader(request: Request, principal: OptionalPrincipal) -> None:
    if request.app.state.settings.require_token and principal is None:
        raise Unauthorized("log in to read the figures")


Reader = Annotated[None, Depends(_reader)]


@dataclass
class Figures:
    """The figures' data source for one request: aggregates brought up to date first."""

    stats: StatsRepository
    aggregator: Aggregator
    settings: StatsSettings
    now: datetime

    @property
    def tz(self) -> ZoneInfo:
        return self.aggregator.tz

    async def slices(self, kind: Kind, period: Period, group_by: str | None = None) -> list[Slice]:
        await self.aggregator.flush()
        days_only = group_by in ("day", "week")
        return await read_slices(self.stats, kind, period, days_only=days_only, now=self.now, tz=self.tz)

    async def tallies(
        self, kind: Kind, period: Period, group_by: str | None = None, where: dict[str, Any] | None = None
    ) -> tuple[Tally, dict[Any, Tally]]:
        return summed(await self.slices(kind, period, group_by), DIMENSIONS[kind], group_by, where)

    async def grouped(
        self,
        kind: Kind,
        common: Common,
        figure: Callable[[Tally], dict[str, Any]],
        where: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """``figure`` over the period's total, and per group (``groups``) when the query asked for them."""
        total, groups = await self.tallies(kind, common.period, common.group_by, where)
        body = figure(total)
        if common.group_by:
            body["groups"] = [{"key": key, **figure(tally)} for key, tally in sorted_groups(groups)]
        return body


async def _figures(request: Request) -> Figures:
    state = request.app.state
    return Figures(state.stats, state.aggregator, state.settings, state.clock())


FiguresDep = Annotated[Figures, Depends(_figures)]


@dataclass(frozen=True)
class Common:
    period: Period
    group_by: str | None


async def _common(
    reader: Reader,
    from_: Annotated[date | None, Query(alias="from", description="first local date, inclusive")] = None,
    to: Annotated[date | None, Query(description="last local date, inclusive")] = None,
    organization: Annotated[str | None, Query(description="one organisation; all if left out")] = None,
    group_by: Annotated[GroupBy | None, Query(description="also give the figure per group")] = None,
) -> Common:
    if from_ and to and to < from_:
        raise InvalidPeriod(f"'to' ({to}) is before 'from' ({from_})")
    return Common(Period(from_, to, organization), group_by)


CommonDep = Annotated[Common, Depends(_common)]
