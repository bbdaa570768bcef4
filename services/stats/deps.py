"""What every figure route needs: the reader's scope, the common parameters, fresh aggregates, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import Depends, Query, Request

from lotsen.auth import OptionalPrincipal, Principal
from services.stats.access import EVERYTHING, Scope, ensure_reader, scope_of
from services.stats.aggregates import DIMENSIONS, Aggregator
from services.stats.figures import InvalidPeriod
from services.stats.query import Period, Slice, read_slices, sorted_groups, summed
from services.stats.repository import StatsRepository
from services.stats.settings import StatsSettings
from services.stats.tally import Tally
from services.stats.targets.service import TargetStore
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


async def _reader(request: Request, principal: OptionalPrincipal) -> Principal | None:
    ensure_reader(principal, require_token=request.app.state.settings.require_token)
    return principal


Reader = Annotated[Principal | None, Depends(_reader)]


@dataclass
class Figures:
    """The figures' data source for one request: aggregates brought up to date first."""

    stats: StatsRepository
    aggregator: Aggregator
    settings: StatsSettings
    now: datetime
    reader: Principal | None = None
    scope: Scope = EVERYTHING  # of the last read: a handler's answers say which departments they cover
    targets: TargetStore | None = None  # per organisation and answer group (services/stats/targets)

    @property
    def tz(self) -> ZoneInfo:
        return self.aggregator.tz

    async def slices(self, kind: Kind, period: Period, group_by: str | None = None) -> list[Slice]:
        """The slices of ``period`` the reader may see (:mod:`services.stats.access`)."""
        self.scope = scope_of(self.reader, kind, period.organization)
        await self.aggregator.flush()
        days_only = group_by in ("day", "week")
        found = await read_slices(
            self.stats,
            kind,
            period,
            days_only=days_only,
            now=self.now,
            tz=self.tz,
            organizations=self.scope.organizations,
        )
        return within_departments(found, kind, self.scope.departments)

    def scoped(self, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` with ``scope`` when the reader sees only some departments."""
        if self.scope.departments is not None:
            body["scope"] = self.scope.as_json()
        return body

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
        return self.scoped(body)


def within_departments(slices: list[Slice], kind: Kind, departments: tuple[str, ...] | None) -> list[Slice]:
    """Only the cells of ``departments`` (None: every cell); a kind without departments has none."""
    if departments is None:
        return slices
    if "department" not in DIMENSIONS[kind]:
        return []
    at = DIMENSIONS[kind].index("department")
    return [
        replace(piece, cells={key: tally for key, tally in piece.cells.items() if key[at] in departments})
        for piece in slices
    ]


async def _figures(request: Request, reader: Reader) -> Figures:
    state = request.app.state
    targets = state.targets
    return Figures(state.stats, state.aggregator, state.settings, state.clock(), reader, targets=targets)


FiguresDep = Annotated[Figures, Depends(_figures)]


# Periods are whole months around the dates asked for; these bounds keep that arithmetic inside the
# calendar Python can represent (year 1 would overflow) while allowing any date a figure can have.
EARLIEST = date(1900, 1, 1)
LATEST = date(9998, 12, 31)


@dataclass(frozen=True)
class Common:
    period: Period
    group_by: str | None


async def _common(
    reader: Reader,
    from_: Annotated[
        date | None,
        Query(alias="from", ge=EARLIEST, le=LATEST, description="first local date, inclusive"),
    ] = None,
    to: Annotated[
        date | None, Query(ge=EARLIEST, le=LATEST, description="last local date, inclusive")
    ] = None,
    organization: Annotated[str | None, Query(description="one organisation; all if left out")] = None,
    group_by: Annotated[GroupBy | None, Query(description="also give the figure per group")] = None,
) -> Common:
    if from_ and to and to < from_:
        raise InvalidPeriod(f"'to' ({to}) is before 'from' ({from_})")
    return Common(Period(from_, to, organization), group_by)


CommonDep = Annotated[Common, Depends(_common)]
