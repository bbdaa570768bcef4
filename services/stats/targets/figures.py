"""Each figure, and each group of it, measured against its own targets (docs/figures.md, *Mål per
organisation och svarsgrupp*).

Which organisations a figure (or a group) covers: the one asked for (``organization=``); else those
whose calls or cases it counts; else, when it counts nothing, every organisation the reader may
read. Grouped by organisation, each group is that organisation's; grouped by answer group, each
group is measured against that answer group's targets in the organisations it covers; any other
grouping (time, department, channel …) against the organisations' own. Where the covered
organisations' targets differ, the target is ``null`` and ``targets`` lists each one's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from services.stats.aggregates import DIMENSIONS
from services.stats.deps import Common, Figures
from services.stats.query import Slice, group_key, sorted_groups, summed
from services.stats.settings import StatsSettings
from services.stats.tally import Tally
from services.stats.targets.model import Goals, TargetBook
from services.stats.updates import Kind

TOTAL = object()  # the key of the figure's total in :func:`coverage`
TargetedFigure = Callable[[Tally, Goals], dict[str, Any]]


async def book_of(figures: Figures) -> TargetBook:
    """The targets stored for this request's figures (the settings alone when none are kept)."""
    store = figures.targets
    return await store.book() if store is not None else settings_only(figures.settings)


def settings_only(settings: StatsSettings) -> TargetBook:
    return TargetBook(settings, {})


def coverage(
    slices: list[Slice], dimensions: tuple[str, ...], group_by: str | None, where: dict[str, Any] | None
) -> dict[Any, set[str]]:
    """Group key (and :data:`TOTAL`) → the organisations with cells counted in it."""
    covered: dict[Any, set[str]] = {TOTAL: set()}
    for piece in slices:
        for key in piece.cells:
            dims = dict(zip(dimensions, key, strict=True))
            if where and any(dims.get(name) != value for name, value in where.items()):
                continue
            covered[TOTAL].add(piece.organization)
            if group_by:
                covered.setdefault(group_key(group_by, piece, dims), set()).add(piece.organization)
    return covered


def with_goals(body: dict[str, Any], goals: Goals, measures: Iterable[str]) -> dict[str, Any]:
    """``body`` with each organisation's targets listed when they differ (its target is then null)."""
    listing = goals.listing(measures)
    if listing is not None:
        body["targets"] = listing
    return body


async def targeted(
    figures: Figures,
    kind: Kind,
    common: Common,
    measures: tuple[str, ...],
    figure: TargetedFigure,
    where: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Like :meth:`Figures.grouped`, with the right targets for the total and for each group."""
    slices = await figures.slices(kind, common.period, common.group_by)
    book = await book_of(figures)
    dimensions = DIMENSIONS[kind]
    total, groups = summed(slices, dimensions, common.group_by, where)
    covered = coverage(slices, dimensions, common.group_by, where)
    asked = common.period.organization
    readable = figures.scope.organizations or ()

    def goals(organizations: set[str], answer_group: str | None = None) -> Goals:
        return book.over({asked} if asked else organizations or set(readable), answer_group)

    overall = goals(covered[TOTAL])
    body = with_goals(figure(total, overall), overall, measures)
    if common.group_by:
        rows = []
        for key, tally in sorted_groups(groups):
            if common.group_by == "organization":
                group_goals = book.of(key)
            elif common.group_by == "answer_group":
                group_goals = goals(covered.get(key, set()), key)
            else:
                group_goals = goals(covered.get(key, set()))
            rows.append(with_goals({"key": key, **figure(tally, group_goals)}, group_goals, measures))
        body["groups"] = rows
    return figures.scoped(body)
