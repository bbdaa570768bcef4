"""Tertialrapport: every figure per organisation and per department for T1 (Jan–Apr), T2 (May–Aug) or
T3 (Sep–Dec), plus the synpunkter per department they concern, by kind, with their case references
(listed once, under the department each concerns: :mod:`services.stats.feedback`).

Telephony figures are given per organisation and answer group (svarsgrupp): a call belongs to an
answer group, not to a department. Case figures are given per organisation and per department (the
department of the routing decision, or the one a handoff sent the case to). The report reads the
four month aggregates of each organisation; ``format=csv`` flattens the same numbers
(:mod:`services.stats.report_csv`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from lotsen.directory import Directory
from services.stats.aggregates import CASE_DIMENSIONS
from services.stats.backlog import backlog
from services.stats.calls import CALL_DIMENSIONS, answer_rate
from services.stats.category_handling import by_category, category_rows, slices_cells
from services.stats.deps import Figures, FiguresDep
from services.stats.email import email_response
from services.stats.feedback import Concerned
from services.stats.figures import InvalidPeriod, parse_tertial
from services.stats.invoice import add_to_report
from services.stats.ivr import report_choices
from services.stats.query import Period, Slice, sorted_groups, summed
from services.stats.report_csv import report_rows, to_csv
from services.stats.resolution import failure_demand, resolution
from services.stats.satisfaction import satisfaction
from services.stats.settings import EmailMode
from services.stats.synpunkter import concerning_readers_departments
from services.stats.tally import Tally
from services.stats.targets.figures import book_of, settings_only
from services.stats.targets.model import Goals, TargetBook
from services.stats.time_spent import report_time_spent, report_written

router = APIRouter(tags=["stats"])


def case_figures(
    tally: Tally, email: Tally, figures: Figures, mode: EmailMode, goals: Goals | None = None
) -> dict[str, Any]:
    g = goals or settings_only(figures.settings).default
    return {
        "cases": tally.counts["cases"],
        "email_response": email_response(email, mode=mode, now=figures.now, target=g.email_response),
        "resolution": resolution(tally, target=g.resolution),
        "satisfaction": satisfaction(tally, targets=g.satisfaction),
        "failure_demand": failure_demand(tally),
        "backlog": backlog(tally, now=figures.now, tz=figures.tz),
    }


@dataclass
class Breakdown:
    """Everything the report needs from an organisation's case cells, gathered in one pass."""

    total: Tally = field(default_factory=Tally)
    departments: dict[Any, Tally] = field(default_factory=dict)
    email: dict[Any, Tally] = field(default_factory=dict)  # None: the whole organisation
    volumes: dict[str, Counter[Any]] = field(default_factory=lambda: defaultdict(Counter))
    department_channels: dict[Any, Counter[Any]] = field(default_factory=lambda: defaultdict(Counter))
    charging: dict[str, dict[Any, list[int]]] = field(
        default_factory=dict
    )  # month → department → [n, pending]

    def add(self, month: str, key: tuple[Any, ...], tally: Tally) -> None:
        dims = dict(zip(CASE_DIMENSIONS, key, strict=True))
        department, cases = dims["department"], tally.counts["cases"]
        self.total.add(tally)
        _tally(self.departments, department).add(tally)
        if dims["channel"] == "email":
            _tally(self.email, ALL).add(tally)
            _tally(self.email, department).add(tally)
        for name in ("channel", "category", "rosa_level"):
            self.volumes[name][dims[name]] += cases
        self.department_channels[department][dims["channel"]] += cases
        counts = self.charging.setdefault(month, {}).setdefault(department, [0, 0])
        counts[0] += tally.counts["resolved_first_line"]
        counts[1] += tally.counts["resolution_pending"]


ALL = ("all",)


def _tally(tallies: dict[Any, Tally], key: Any) -> Tally:
    tally = tallies.get(key)
    if tally is None:
        tally = tallies[key] = Tally()
    return tally


def by_key(counts: dict[Any, Any]) -> list[Any]:
    return sorted(counts, key=lambda k: (k is None, str(k)))


def rows(counts: Counter[Any]) -> list[dict[str, Any]]:
    return [{"key": key, "count": counts[key]} for key in by_key(counts)]


def organization_report(
    organization: str,
    calls: list[Slice],
    cases: list[Slice],
    figures: Figures,
    mode: EmailMode,
    book: TargetBook | None = None,
    concerned: Concerned | None = None,
) -> dict[str, Any]:
    s = figures.settings
    targets = book or settings_only(s)
    goals = targets.of(organization)  # the organisation's own; an answer group's own for its calls
    calls_total, by_group = summed(calls, CALL_DIMENSIONS, "answer_group")

    def rate(tally: Tally, answer_group: str | None = None) -> dict[str, Any]:
        g = targets.of(organization, answer_group)
        return answer_rate(
            tally,
            short_abandon_seconds=s.short_abandon_seconds,
            service_level_seconds=s.service_level_seconds,
            target=g.answer_rate,
            service_level_target=g.service_level,
        )

    b = Breakdown()
    for piece in cases:
        for key, tally in piece.cells.items():
            b.add(piece.month, key, tally)
    months = sorted(b.charging)
    concerned = concerned or Concerned(b.total)
    for listed in concerned.departments:  # a department with synpunkter is listed, cases or not
        _tally(b.departments, listed)
    departments = [
        {
            "department": department,
            **case_figures(b.departments[department], b.email.get(department, Tally()), figures, mode, goals),
            "by_channel": rows(b.department_channels[department]),
            "charging": [
                dict(
                    zip(
                        ("month", "count", "pending"),
                        (m, *b.charging[m].get(department, [0, 0])),
                        strict=True,
                    )
                )
                for m in months
            ],
            "synpunkter": concerned.of(department),
            "time_spent": {"written": report_written(b.departments[department])},
        }
        for department in by_key(b.departments)
    ]
    group_rates = [{"key": k, **rate(t, k)} for k, t in sorted_groups(by_group)]
    # The totals are the sums of their groups: their histograms are added up from the groups' rather
    # than decoded from every stored value again.
    b.total.hists_as_sum_of(b.departments.values())
    calls_total.hists_as_sum_of(by_group.values())
    return {
        "organization": organization,
        "answer_rate": {**rate(calls_total), "groups": group_rates},
        "ivr_choices": report_choices(calls_total, short_abandon_seconds=s.short_abandon_seconds),
        **case_figures(b.total, b.email.get(ALL, Tally()), figures, mode, goals),
        "volumes": {
            "cases": b.total.counts["cases"],
            "calls_offered": calls_total.counts["offered"],
            "by_channel": rows(b.volumes["channel"]),
            "by_category": rows(b.volumes["category"]),
            "by_rosa_level": rows(b.volumes["rosa_level"]),
        },
        "charging": [
            {
                "month": m,
                "count": sum(n for n, _ in b.charging[m].values()),
                "groups": [
                    {"key": d, "count": b.charging[m][d][0], "pending": b.charging[m][d][1]}
                    for d in by_key(b.charging[m])
                ],
            }
            for m in months
        ],
        "synpunkter": {
            "count": concerned.total()["count"],
            "by_kind": concerned.total()["by_kind"],
            "groups": [
                {
                    "key": d["department"],
                    "count": d["synpunkter"]["count"],
                    "by_kind": d["synpunkter"]["by_kind"],
                }
                for d in departments
                if d["synpunkter"]["count"]
            ],
        },
        "departments": departments,
        "category_handling": category_rows(by_category(slices_cells(cases)), target=goals.resolution),
        "time_spent": report_time_spent(calls_total, by_group, b.total),
    }


async def build_report(
    figures: Figures,
    directory: Directory,
    *,
    period: str,
    first: date,
    last: date,
    organization: str | None,
    mode: EmailMode,
) -> dict[str, Any]:
    scope = Period(first, last, organization)
    cases = await figures.slices("cases", scope)
    # A handler's report covers their departments' cases; calls belong to answer groups, not departments.
    calls = await figures.slices("calls", scope) if figures.scope.departments is None else []
    book = await book_of(figures)
    concerned = await concerning_readers_departments(figures, scope)  # a handler's: concerning theirs
    organizations = {p.organization for p in calls} | {p.organization for p in cases} | set(concerned or {})
    if organization:
        organizations.add(organization)
    s = figures.settings
    report = figures.scoped(
        {
            "period": period,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "organization": organization,
            "as_of": figures.now.isoformat(),
            "definitions": {
                "short_abandon_seconds": s.short_abandon_seconds,
                "service_level_seconds": s.service_level_seconds,
                "email_response_mode": mode,
                "email_response_hours": s.email_response_hours,
                "email_response_working_days": s.email_response_working_days,
                "timezone": s.timezone,
            },
            "organizations": [
                organization_report(
                    org,
                    [p for p in calls if p.organization == org],
                    [p for p in cases if p.organization == org],
                    figures,
                    mode,
                    book,
                    concerned.get(org, Concerned(Tally())) if concerned is not None else None,
                )
                for org in sorted(organizations)
            ],
        }
    )
    # The invoice basis reads the organisation's prices and the directory's answer groups besides.
    # A reader of every department has read the slices the invoice needs; a handler's are filtered.
    read = {"cases": cases, "calls": calls} if figures.scope.departments is None else None
    await add_to_report(
        report, figures, directory, first=first, last=last, organization=organization, read=read
    )
    return report


@router.get(
    "/v1/stats/report",
    summary="Tertialrapport: every figure per organisation and department, and the synpunkter",
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
async def get_report(
    figures: FiguresDep,
    request: Request,
    period: Annotated[
        str | None, Query(description="YYYY-T1 (Jan–Apr), YYYY-T2 (May–Aug) or YYYY-T3 (Sep–Dec)")
    ] = None,
    from_: Annotated[
        date | None, Query(alias="from", description="instead of a tertial: first local date")
    ] = None,
    to: Annotated[date | None, Query(description="instead of a tertial: last local date")] = None,
    organization: Annotated[str | None, Query(description="one organisation; all if left out")] = None,
    format: Annotated[Literal["json", "csv"], Query(description="json (default) or csv")] = "json",
    mode: Annotated[EmailMode | None, Query(description="e-mail mode; default from the settings")] = None,
) -> Any:
    if period is not None:
        first, last = parse_tertial(period)
    elif from_ is not None and to is not None and from_ <= to:
        first, last, period = from_, to, f"{from_}--{to}"
    else:
        raise InvalidPeriod(
            "give period=YYYY-T1 (Jan–Apr), YYYY-T2 (May–Aug) or YYYY-T3 (Sep–Dec), or both 'from' and 'to' "
            "with 'from' not after 'to'"
        )
    report = await build_report(
        figures,
        request.app.state.runtime.directory,
        period=period,
        first=first,
        last=last,
        organization=organization,
        mode=mode or figures.settings.email_response_mode,
    )
    if format == "json":
        return JSONResponse(report)  # already plain JSON types: skip FastAPI's slow generic encoder
    name = f"lotsen-tertialrapport-{period}{'-' + organization if organization else ''}.csv"
    return Response(
        to_csv(report_rows(report)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
