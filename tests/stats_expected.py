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
                for case in cases:
                    groups[key_of(case, group)].append(case)
                listed = sorted(groups.items(), key=lambda kv: (kv[0] is None, str(kv[0])))
                return {
                    **synpunkter(cases),
                    "groups": [{"key": k, **synpunkter(v)} for k, v in listed if synpunkter(v)["count"]],
                }
            case "report":
                return self.report(params)
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
        departments = sorted({c.department for c in cases}, key=lambda d: (d is None, str(d)))
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
                    "synpunkter": synpunkter(mine),
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
                "groups": [
                    {"key": e["department"], "count": e["synpunkter"]["count"]}
                    for e in dept_entries
                    if e["synpunkter"]["count"]
                ],
            },
            "departments": dept_entries,
        }


def charging_counts(cases: list[CaseView], name: str = "total") -> dict[str, int]:
    first_line = sum(1 for c in cases if c.resolved and c.first_line_flag and not c.handed_off)
    pending = sum(1 for c in cases if not c.resolved and not c.handed_off)
    return {name: first_line, "pending": pending}
