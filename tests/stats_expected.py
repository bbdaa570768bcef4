"""The figures of a synthetic month computed straight from its plan, in plain Python (with
:mod:`tests.stats_views`, what happened, and :mod:`tests.stats_figures_plain`, each figure).

This module never imports ``services.stats``: it re-reads the definitions of DESIGN §5 and
docs/figures.md and applies them to the plan of :mod:`tests.stats_generator` (what really happened
to each call and case up to *now*), so a test can demand that the API gives exactly these numbers.
Working days come from the ``holidays`` package directly (Swedish public and de facto holidays).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from lotsen.directory import directory_from
from tests.stats_category_handling_plain import category_handling, category_rows
from tests.stats_expected_time import report_time_spent, report_written, time_spent
from tests.stats_figures_plain import (
    answer_rate,
    backlog,
    email_response,
    failure_demand,
    in_period,
    key_of,
    resolution,
    rows,
    satisfaction,
    synpunkter,
    with_groups,
)
from tests.stats_generator import STHLM, Month
from tests.stats_ivr_plain import ivr_choices, report_choices
from tests.stats_views import CallView, CaseView, call_view, case_view


@dataclass(frozen=True)
class MessageView:
    organization: str
    channel: str
    day: date
    delivered: bool


class Expectation:
    """What every stats endpoint must answer for a synthetic month."""

    def __init__(self, month: Month) -> None:
        self.now = month.now
        self.calls = [v for v in (call_view(c) for c in month.calls) if v is not None]
        self.cases = [case_view(c) for c in month.cases]
        self.messages = [
            MessageView(
                case.organization,
                channel,
                min(at for at, _ in results).astimezone(STHLM).date(),
                any(outcome == "delivered" for _, outcome in results),
            )
            for case in month.cases
            for _, channel, results in case.outbound
        ]

    def response(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        calls = [c for c in self.calls if in_period(c, params)]
        cases = [c for c in self.cases if in_period(c, params)]
        now = self.now
        match path.removeprefix("/v1/stats/"):
            case "answer-rate":
                short = float(params.get("short_abandon_seconds", 5))
                level = float(params.get("service_level_seconds", 60))
                body = with_groups(calls, params, lambda xs: answer_rate(xs, short, level))
                return {**body, "short_abandon_seconds": short, "service_level_seconds": level}
            case "ivr-choices":
                return ivr_choices(calls, params)
            case "email-response":
                emails = [c for c in cases if c.channel == "email"]
                mode = params.get("mode", "calendar")
                return with_groups(emails, params, lambda xs: email_response(xs, mode, now))
            case "resolution":
                return with_groups(cases, params, resolution)
            case "satisfaction":
                return with_groups(cases, params, satisfaction)
            case "backlog":
                return with_groups(cases, params, lambda xs: backlog(xs, now))
            case "volumes":
                return self.volumes(params, calls, cases)
            case "volumes/charging":
                month = params["month"]
                of_month = [c for c in self.cases if f"{c.day:%Y-%m}" == month]
                if params.get("organization"):
                    of_month = [c for c in of_month if c.organization == params["organization"]]
                departments = {c.department for c in of_month}
                return {
                    "month": month,
                    "organization": params.get("organization"),
                    **charging_counts(of_month),
                    "groups": [
                        {"key": d, **charging_counts([c for c in of_month if c.department == d], "count")}
                        for d in sorted(departments, key=lambda d: (d is None, str(d)))
                    ],
                }
            case "synpunkter":
                group = params.get("group_by", "department")
                groups: dict[Any, list[CaseView]] = defaultdict(list)
                for case in cases:  # by department: the one each concerns
                    groups[case.synpunkt_department if group == "department" else key_of(case, group)].append(
                        case
                    )
                listed = sorted(groups.items(), key=lambda kv: (kv[0] is None, str(kv[0])))
                return {
                    **synpunkter(cases),
                    "groups": [{"key": k, **synpunkter(v)} for k, v in listed if synpunkter(v)["count"]],
                }
            case "report":
                return self.report(params)
            case "category-handling":
                return category_handling(cases, params)
            case "time-spent":
                return time_spent(calls, cases, params.get("group_by"))
        raise ValueError(f"no expectation for {path}")

    def volumes(self, params: dict[str, Any], calls: list[CallView], cases: list[CaseView]) -> dict[str, Any]:
        kind, group = params.get("kind", "cases"), params.get("group_by")
        by_count = group not in ("day", "week", "month", "tertial")
        if kind == "outbound":
            items: list[Any] = [m for m in self.messages if in_period(m, params)]  # type: ignore[arg-type]
            body: dict[str, Any] = {"total": len(items), "groups": []}
            if group:
                listed = rows(items, group, len, by_count)
                for row in listed:
                    mine = [m for m in items if key_of(m, group) == row["key"]]  # type: ignore[arg-type]
                    row.update(
                        delivered=sum(m.delivered for m in mine), failed=sum(not m.delivered for m in mine)
                    )
                body["groups"] = listed
            return body
        items = calls if kind == "calls" else cases
        return {"total": len(items), "groups": rows(items, group, len, by_count) if group else []}

    def report(self, params: dict[str, Any]) -> dict[str, Any]:
        period, mode, org = params["period"], params.get("mode", "calendar"), params.get("organization")
        year, tertial = int(period[:4]), int(period[-1])
        first = date(year, 4 * tertial - 3, 1)
        last = (date(year, 4 * tertial, 1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        scope = {"from": first.isoformat(), "to": last.isoformat(), "organization": org}
        self.tertial_months = [f"{year}-{m:02d}" for m in range(4 * tertial - 3, 4 * tertial + 1)]
        calls = [c for c in self.calls if in_period(c, scope)]
        cases = [c for c in self.cases if in_period(c, scope)]
        organizations = sorted(
            {c.organization for c in calls} | {c.organization for c in cases} | ({org} if org else set())
        )
        return {
            "period": period,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "organization": org,
            "as_of": self.now.isoformat(),
            "definitions": {
                "short_abandon_seconds": 5.0,
                "service_level_seconds": 60.0,
                "email_response_mode": mode,
                "email_response_hours": 48,
                "email_response_working_days": 2,
                "timezone": "Europe/Stockholm",
            },
            "organizations": [
                self.organization_report(
                    o,
                    [c for c in calls if c.organization == o],
                    [c for c in cases if c.organization == o],
                    mode,
                )
                for o in organizations
            ],
        }

    def case_figures(self, cases: list[CaseView], mode: str) -> dict[str, Any]:
        return {
            "cases": len(cases),
            "email_response": email_response(cases, mode, self.now),
            "resolution": resolution(cases),
            "satisfaction": satisfaction(cases),
            "failure_demand": failure_demand(cases),
            "backlog": backlog(cases, self.now),
        }

    def organization_report(
        self, organization: str, calls: list[CallView], cases: list[CaseView], mode: str
    ) -> dict[str, Any]:
        months = sorted({f"{c.day:%Y-%m}" for c in cases})
        departments = sorted(
            {c.department for c in cases} | {c.synpunkt_department for c in cases if c.synpunkt},
            key=lambda d: (d is None, str(d)),
        )
        groups = sorted({c.answer_group for c in calls})
        dept_entries = []
        for d in departments:
            mine = [c for c in cases if c.department == d]
            dept_entries.append(
                {
                    "department": d,
                    **self.case_figures(mine, mode),
                    "by_channel": rows(mine, "channel", len, False),
                    "charging": [
                        {"month": m, **charging_counts([c for c in mine if f"{c.day:%Y-%m}" == m], "count")}
                        for m in months
                    ],
                    "synpunkter": synpunkter([c for c in cases if c.synpunkt_department == d]),
                    "time_spent": {"written": report_written(mine)},
                }
            )
        charging = []
        for m in months:
            of_month = [c for c in cases if f"{c.day:%Y-%m}" == m]
            depts = sorted({c.department for c in of_month}, key=lambda d: (d is None, str(d)))
            charging.append(
                {
                    "month": m,
                    "count": charging_counts(of_month)["total"],
                    "groups": [
                        {"key": d, **charging_counts([c for c in of_month if c.department == d], "count")}
                        for d in depts
                    ],
                }
            )
        return {
            "organization": organization,
            "answer_rate": {
                **answer_rate(calls),
                "groups": [
                    {"key": g, **answer_rate([c for c in calls if c.answer_group == g])} for g in groups
                ],
            },
            "ivr_choices": report_choices(calls),
            **self.case_figures(cases, mode),
            "volumes": {
                "cases": len(cases),
                "calls_offered": len(calls),
                "by_channel": rows(cases, "channel", len, False),
                "by_category": rows(cases, "category", len, False),
                "by_rosa_level": rows(cases, "rosa_level", len, False),
            },
            "charging": charging,
            "synpunkter": {
                "count": synpunkter(cases)["count"],
                "by_kind": synpunkter(cases)["by_kind"],
                "groups": [
                    {
                        "key": e["department"],
                        "count": e["synpunkter"]["count"],
                        "by_kind": e["synpunkter"]["by_kind"],
                    }
                    for e in dept_entries
                    if e["synpunkter"]["count"]
                ],
            },
            "departments": dept_entries,
            "category_handling": category_rows(cases),
            "time_spent": report_time_spent(calls, cases),
            "invoice": invoice(organization, calls, cases, self.tertial_months),
        }


def charging_counts(cases: list[CaseView], name: str = "total") -> dict[str, int]:
    first_line = sum(1 for c in cases if c.resolved and c.first_line_flag and not c.handed_off)
    pending = sum(1 for c in cases if not c.resolved and not c.handed_off)
    return {name: first_line, "pending": pending}


INVOICE_UNITS = ("first_line", "handed_off", "calls_answered", "calls_transferred", "synpunkter")


def invoice(
    organization: str, calls: list[CallView], cases: list[CaseView], months: list[str]
) -> dict[str, Any]:
    """The invoice basis of docs/figures.md *Debitering*, with no prices set: every unit unpriced."""
    known = directory_from().organization(organization)
    served: dict[str, set[str]] = {}
    if known is not None:
        served = {g.id: set(g.departments) for g in known.answer_groups}
        for d in known.departments:
            if d.answer_group:
                served.setdefault(d.answer_group, set()).add(d.id)
    counts: dict[tuple[str, str | None], dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    pending: dict[tuple[str, str | None], int] = defaultdict(int)

    def add(line: tuple[str, str | None], unit: str, month: str) -> None:
        counts[line][unit][month] = counts[line][unit].get(month, 0) + 1

    for c in cases:
        line = ("department", c.department) if c.department else ("none", None)
        month = f"{c.day:%Y-%m}"
        if c.resolved and c.first_line_flag and not c.handed_off:
            add(line, "first_line", month)
        elif c.handed_off or c.resolved:
            add(line, "handed_off", month)
        else:
            pending[line] += 1
            counts[line]  # a line with pending cases only is listed too
        if c.synpunkt:  # credited to the department it concerns
            concerned = c.synpunkt_department
            add(("department", concerned) if concerned else ("none", None), "synpunkter", month)
    for call in calls:
        if call.outcome == "answered":
            departments = sorted(served.get(call.answer_group, set()))
            if len(departments) == 1:
                line = ("department", departments[0])
            else:
                line = ("answer_group", call.answer_group) if departments else ("none", None)
            add(line, "calls_answered", f"{call.day:%Y-%m}")
    order = {"department": 0, "answer_group": 1, "none": 2}
    lines = []
    for kind, ident in sorted(counts, key=lambda k: (order[k[0]], k[1] or "")):
        units = []
        for unit in INVOICE_UNITS:
            by_month = counts[(kind, ident)].get(unit, {})
            n = sum(by_month.values())
            units.append({
                "unit": unit, "count": n, "price": None, "amount": None, "unpriced": n,
                "months": [{"month": m, "count": by_month[m], "price": None, "amount": None}
                           for m in months if by_month.get(m)],
            })  # fmt: skip
        names = {d.id: d.name for d in known.departments} if known else {}
        groups = {g.id: g.name for g in known.answer_groups} if known else {}
        lines.append({
            "department": ident if kind == "department" else None,
            "answer_group": ident if kind == "answer_group" else None,
            "departments": [ident] if kind == "department" else
                           sorted(served.get(ident or "", ())) if kind == "answer_group" else [],
            "name": names.get(ident or "") if kind == "department" else groups.get(ident or ""),
            "in_directory": kind == "none" or ident in (names if kind == "department" else groups),
            "charged": kind != "none",
            "units": units,
            "amount": "0.00" if kind != "none" else None,
            "pending": pending[(kind, ident)],
        })  # fmt: skip
    return {
        "organization": organization,
        "lines": lines,
        "amount": "0.00",
        "unpriced": sum(u["unpriced"] for line in lines if line["charged"] for u in line["units"]),
        "pending": sum(line["pending"] for line in lines),
    }
