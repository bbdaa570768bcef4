"""Kategori × hanterad av: per category, who handles its cases — first line or a department.

A contact centre takes over the questions that come often (Hallsberg: "Om en fråga kommer ofta så
är det KC/SC uppdrag"); this figure shows, per category, how many cases the departments handle, so
the frequent ones can be taken over. Both readings of "handled by" are given (docs/figures.md,
*Kategori × hanterad av*):

- **as routed** (routing's decision, ``handled_by`` of ``case.created``): ``routed_first_line``,
  ``routed_department`` — every case received, merged duplicates included, like the volumes;
- **the outcome** (as the first-line resolution figure counts it, :mod:`services.stats.resolution`):
  ``resolved_first_line``, ``handled_by_department`` (routed straight to a department, handed off
  at some point, or resolved by someone who was not first line) and ``pending``; of those handled by
  a department, ``handed_off`` are the ones routing had given to first line. Merged duplicates are
  not in the outcome, as in the resolution figure.

Rows are sorted by ``handled_by_department``, most first, then by ``cases``, then by category.
Everything is read from the case cells, whose dimensions include category and handled_by.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.stats.aggregates import CASE_DIMENSIONS
from services.stats.deps import CommonDep, FiguresDep
from services.stats.figures import TIME_GROUPS, InvalidGrouping, Target, met, ratio
from services.stats.query import Slice, group_key
from services.stats.tally import Tally
from services.stats.targets.figures import book_of

router = APIRouter(tags=["stats"])

MEASURES = (
    "cases",
    "routed_first_line",
    "routed_department",
    "resolved_first_line",
    "handled_by_department",
    "handed_off",
    "pending",
)
# What the figure can additionally be grouped by: not by its own axes (category, handled_by).
GROUPINGS = (*TIME_GROUPS, "organization", "department", "channel", "rosa_level", "answer_group")

_CATEGORY = CASE_DIMENSIONS.index("category")
_HANDLED_BY = CASE_DIMENSIONS.index("handled_by")


def count_cell(counts: Counter[str], handled_by: str | None, tally: Tally) -> None:
    """Add one case cell (all of whose cases were routed to ``handled_by``) to ``counts``."""
    n = tally.counts
    counts["cases"] += n["cases"]
    if handled_by in ("first_line", "department"):
        counts[f"routed_{handled_by}"] += n["cases"]
    counts["resolved_first_line"] += n["resolved_first_line"]
    counts["handled_by_department"] += n["handed_off"]
    if handled_by != "department":  # routed to first line and then given to a department
        counts["handed_off"] += n["handed_off"]
    counts["pending"] += n["resolution_pending"]


def handling(counts: Counter[str], *, target: Target) -> dict[str, Any]:
    """The measures of some cases, with the first-line resolution rate over them."""
    first_line, department = counts["resolved_first_line"], counts["handled_by_department"]
    rate = ratio(first_line, first_line + department)
    return {
        **{name: counts[name] for name in MEASURES},
        "rate": rate,
        "target": target,
        "met": met(rate, target),
    }


def by_category(cells: list[tuple[tuple[Any, ...], Tally]]) -> dict[Any, Counter[str]]:
    """The counts per category of ``cells`` (key, tally)."""
    categories: dict[Any, Counter[str]] = {}
    for key, tally in cells:
        counts = categories.get(key[_CATEGORY])
        if counts is None:
            counts = categories[key[_CATEGORY]] = Counter()
        count_cell(counts, key[_HANDLED_BY], tally)
    return categories


def category_rows(categories: dict[Any, Counter[str]], *, target: Target) -> list[dict[str, Any]]:
    """One row per category, most handled by departments first; no category (None) last of equals."""
    rows = [{"key": key, **handling(counts, target=target)} for key, counts in categories.items()]
    rows.sort(key=lambda r: (-r["handled_by_department"], -r["cases"], r["key"] is None, str(r["key"])))
    return rows


def total_of(categories: dict[Any, Counter[str]]) -> Counter[str]:
    total: Counter[str] = Counter()
    for counts in categories.values():
        total.update(counts)
    return total


def slices_cells(slices: list[Slice]) -> list[tuple[tuple[Any, ...], Tally]]:
    return [(key, tally) for piece in slices for key, tally in piece.cells.items()]


def category_handling(slices: list[Slice], *, target: Target) -> dict[str, Any]:
    """The figure over ``slices``: the totals and ``categories``."""
    categories = by_category(slices_cells(slices))
    return {
        **handling(total_of(categories), target=target),
        "categories": category_rows(categories, target=target),
    }


class CategoryHandlingNumbers(BaseModel):
    cases: int = Field(description="cases received in the period")
    routed_first_line: int = Field(description="routing gave them to first line (handled_by)")
    routed_department: int = Field(description="routing sent them straight to a department")
    resolved_first_line: int = Field(description="outcome: resolved at first line, never handed off")
    handled_by_department: int = Field(
        description="outcome: routed to a department, handed off, or resolved by a department"
    )
    handed_off: int = Field(description="of handled_by_department: routed to first line, then handed off")
    pending: int = Field(description="neither resolved nor handed off yet")
    rate: float | None = Field(
        description="resolved_first_line / (resolved_first_line + handled_by_department)"
    )
    target: float | None
    met: bool | None


class CategoryHandlingRow(CategoryHandlingNumbers):
    key: str | None = Field(description="the category; null for cases without one")


class CategoryHandlingGroup(CategoryHandlingNumbers):
    key: str | int | None
    categories: list[CategoryHandlingRow]


class CategoryHandlingFigure(CategoryHandlingNumbers):
    categories: list[CategoryHandlingRow] = Field(description="most handled by departments first")
    groups: list[CategoryHandlingGroup] | None = None


@router.get(
    "/v1/stats/category-handling",
    summary="Kategori × hanterad av: per category, cases handled by first line and by departments",
    responses={200: {"model": CategoryHandlingFigure}},
)
async def get_category_handling(common: CommonDep, figures: FiguresDep) -> dict[str, Any]:
    group_by = common.group_by
    if group_by is not None and group_by not in GROUPINGS:
        raise InvalidGrouping(
            f"this figure is already per category and handled_by; group it by one of {', '.join(GROUPINGS)}"
        )
    slices = await figures.slices("cases", common.period, group_by)
    book = await book_of(figures)
    asked = common.period.organization
    covered = {asked} if asked else {p.organization for p in slices} or set(figures.scope.organizations or ())
    target = book.over(covered).resolution  # null when the organisations' targets differ
    body = category_handling(slices, target=target)
    if group_by is not None:
        grouped: dict[Any, list[tuple[tuple[Any, ...], Tally]]] = {}
        for piece in slices:
            for key, tally in piece.cells.items():
                group = group_key(group_by, piece, dict(zip(CASE_DIMENSIONS, key, strict=True)))
                grouped.setdefault(group, []).append((key, tally))

        def group_target(group: Any) -> float | None:
            return book.of(group).resolution if group_by == "organization" else target

        groups = []
        for group in sorted(grouped, key=lambda k: (k is None, str(k))):
            categories = by_category(grouped[group])
            groups.append(
                {
                    "key": group,
                    **handling(total_of(categories), target=group_target(group)),
                    "categories": category_rows(categories, target=group_target(group)),
                }
            )
        body["groups"] = groups
    return figures.scoped(body)
