"""The figures of a synthetic month computed straight from its plan, in plain Python.

This module never imports ``services.stats``: it re-reads the definitions of DESIGN §5 and
docs/figures.md and applies them to the plan of :mod:`tests.stats_generator` (what really happened
to each call and case up to *now*), so a test can demand that the API gives exactly these numbers.
Working days come from the ``holidays`` package directly (Swedish public and de facto holidays).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

import holidays

from tests.stats_generator import STHLM, Call, Case, Month, ms

TARGETS = {"answer_rate": 0.95, "email": 0.94, "resolution": 0.60, "bemotande": 4.3, "kunskap": 4.0}
QUESTIONS = ("bemotande", "kunskap", "tillganglighet")
OPEN = ("new", "open", "pending_citizen", "handed_off")
STATUS_AFTER = {
    "created": "new",
    "assign": "open",
    "pending": "pending_citizen",
    "handoff": "handed_off",
    "return": "open",
    "resolve": "resolved",
    "close": "closed",
}


@cache
def _holidays(year: int) -> frozenset[date]:
    return frozenset(
        holidays.country_holidays("SE", years=year, include_sundays=False, categories=("public", "de_facto"))
    )


def working(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def two_working_days(received: datetime) -> datetime:
    """Two working days later, same local time (from a day off: from the next working day's start)."""
    local = received.astimezone(STHLM)
    day, clock = local.date(), local.time()
    if not working(day):
        while not working(day):
            day += timedelta(days=1)
        clock = time(0)
    for _ in range(2):
        day += timedelta(days=1)
        while not working(day):
            day += timedelta(days=1)
    return datetime.combine(day, clock, STHLM).astimezone(UTC)


def ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def met(value: float | None, target: float | None) -> bool | None:
    return None if value is None or target is None else value >= target


# --- what happened, per call and per case ------------------------------------------------------


@dataclass(frozen=True)
class CallView:
    organization: str
    answer_group: str
    day: date
    outcome: str  # answered | callback | abandoned | pending
    wait: float


@dataclass(frozen=True)
class CaseView:
    ref: str
    organization: str
    channel: str
    day: date
    received_at: datetime
    category: str
    department: str | None
    answer_group: str
    handled_by: str
    rosa_level: int
    first_reply: datetime | None
    handed_off: bool
    due_at: datetime | None
    resolved: bool
    first_line_flag: bool
    failure_demand: bool
    status: str
    survey: dict[str, int] | None
    synpunkt: bool


def call_view(call: Call) -> CallView | None:
    if call.outcome == "no_offered":
        return None  # its call.offered never came: not counted
    outcome = "answered" if call.outcome == "answered_and_abandoned" else call.outcome
    day = call.offered_at.astimezone(STHLM).date()
    return CallView(call.organization, call.group, day, outcome, call.wait)


def case_view(case: Case) -> CaseView:
    steps = sorted(case.steps, key=lambda s: ms(s.at))
    replies = [ms(s.at) for s in steps if s.kind == "reply"]
    handoffs = [s for s in steps if s.kind == "handoff"]
    resolutions = [s for s in steps if s.kind == "resolve"]
    surveys = [s for s in steps if s.kind == "survey"]
    status = "new"
    for step in steps:
        if step.kind == "reply" and status == "new":
            status = "open"
        elif step.kind == "citizen" and status in ("resolved", "pending_citizen"):
            status = "open"
        else:
            status = STATUS_AFTER.get(step.kind, status)
    department = handoffs[-1].data["department"] if handoffs else case.department
    return CaseView(
        ref=case.ref,
        organization=case.organization,
        channel=case.channel,
        day=case.received_at.astimezone(STHLM).date(),
        received_at=case.received_at,
        category=case.category,
        department=department,
        answer_group=case.answer_group,
        handled_by=case.handled_by,
        rosa_level=case.rosa_level,
        first_reply=min(replies) if replies else None,
        handed_off=bool(handoffs) or case.handled_by == "department",
        due_at=handoffs[-1].data["due_at"] if handoffs else None,
        resolved=bool(resolutions),
        first_line_flag=bool(resolutions) and resolutions[-1].data["first_line"],
        failure_demand=bool(resolutions) and resolutions[-1].data["failure_demand"],
        status=status,
        survey=surveys[0].data["answers"] if surveys else None,
        synpunkt=case.category == "synpunkt" or case.form_id == "synpunkt",
    )


# --- the figures --------------------------------------------------------------------------------


def percentile(values: list[float], q: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[rank - 1]


def answer_rate(calls: list[CallView], short: float = 5, level: float = 60) -> dict[str, Any]:
    answered = [c.wait for c in calls if c.outcome == "answered"]
    abandons = [c.wait for c in calls if c.outcome == "abandoned"]
    short_n = sum(1 for w in abandons if w < short)
    abandoned = len(abandons) - short_n
    within = sum(1 for w in answered if w <= level)
    rate = ratio(len(answered), len(answered) + abandoned)
    return {
        "offered": len(calls),
        "answered": len(answered),
        "abandoned": abandoned,
        "short_abandoned": short_n,
        "callbacks": sum(1 for c in calls if c.outcome == "callback"),
        "pending": sum(1 for c in calls if c.outcome == "pending"),
        "answer_rate": rate,
        "service_level": ratio(within, len(answered) + abandoned),
        "answered_within_service_level": within,
        "median_wait_seconds": percentile(answered, 50),
        "p90_wait_seconds": percentile(answered, 90),
        "target": TARGETS["answer_rate"],
        "met": met(rate, TARGETS["answer_rate"]),
    }


def email_response(cases: list[CaseView], mode: str, now: datetime) -> dict[str, Any]:
    in_time = late = overdue = pending = 0
    for case in cases:
        if case.channel != "email":
            continue
        limit = (
            case.received_at + timedelta(hours=48)
            if mode == "calendar"
            else two_working_days(case.received_at)
        )
        if case.first_reply is not None:
            if case.first_reply <= limit:
                in_time += 1
            else:
                late += 1
        elif now > limit:
            overdue += 1
        else:
            pending += 1
    share = ratio(in_time, in_time + late + overdue)
    return {
        "in_time": in_time,
        "missed": late + overdue,
        "pending": pending,
        "share": share,
        "target": TARGETS["email"],
        "met": met(share, TARGETS["email"]),
        "mode": mode,
        "emails": sum(1 for c in cases if c.channel == "email"),
        "answered_late": late,
        "unanswered_past_deadline": overdue,
    }


def resolution(cases: list[CaseView]) -> dict[str, Any]:
    first_line = sum(1 for c in cases if c.resolved and c.first_line_flag and not c.handed_off)
    handed_off = sum(
        1
        for c in cases
        if not (c.resolved and c.first_line_flag and not c.handed_off) and (c.handed_off or c.resolved)
    )
    rate = ratio(first_line, first_line + handed_off)
    return {
        "resolved_first_line": first_line,
        "handed_off": handed_off,
        "pending": sum(1 for c in cases if not c.resolved and not c.handed_off),
        "rate": rate,
        "target": TARGETS["resolution"],
        "met": met(rate, TARGETS["resolution"]),
    }


def failure_demand(cases: list[CaseView]) -> dict[str, Any]:
    resolved = [c for c in cases if c.resolved]
    fd = sum(1 for c in resolved if c.failure_demand)
    return {"resolved": len(resolved), "failure_demand": fd, "share": ratio(fd, len(resolved))}


def satisfaction(cases: list[CaseView]) -> dict[str, Any]:
    answered = [c.survey for c in cases if c.survey]
    figure: dict[str, Any] = {"responses": len(answered)}
    for q in QUESTIONS:
        scores = [s[q] for s in answered if q in s]
        mean = sum(scores) / len(scores) if scores else None
        target = TARGETS.get(q)
        figure[q] = {"mean": mean, "count": len(scores), "target": target, "met": met(mean, target)}
    return figure


def backlog(cases: list[CaseView], now: datetime) -> dict[str, Any]:
    today = now.astimezone(STHLM).date()
    open_cases = [c for c in cases if c.status in OPEN]
    by_age = {"0-2": 0, "3-7": 0, "8-30": 0, "over-30": 0}
    for c in open_cases:
        age = (today - c.day).days
        by_age["0-2" if age <= 2 else "3-7" if age <= 7 else "8-30" if age <= 30 else "over-30"] += 1
    return {
        "open": len(open_cases),
        "by_status": {s: sum(1 for c in open_cases if c.status == s) for s in OPEN},
        "by_age": by_age,
        "handed_off": sum(1 for c in open_cases if c.status == "handed_off"),
        "handed_off_past_due": sum(
            1 for c in open_cases if c.status == "handed_off" and c.due_at is not None and c.due_at < now
        ),
        "failure_demand": failure_demand(cases),
        "as_of": now.isoformat(),
    }


def synpunkter(cases: list[CaseView]) -> dict[str, Any]:
    refs = sorted(c.ref for c in cases if c.synpunkt)
    return {"count": len(refs), "refs": refs}


# --- periods and groups -------------------------------------------------------------------------


def time_key(group: str, day: date) -> str:
    if group == "day":
        return day.isoformat()
    if group == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if group == "month":
        return f"{day:%Y-%m}"
    return f"{day.year}-T{(day.month - 1) // 4 + 1}"


def key_of(item: CallView | CaseView, group: str) -> Any:
    if group in ("day", "week", "month", "tertial"):
        return time_key(group, item.day)
    return getattr(item, group)


def in_period(item: CallView | CaseView, params: dict[str, Any]) -> bool:
    lower, upper, org = params.get("from"), params.get("to"), params.get("organization")
    if org and item.organization != org:
        return False
    if lower and item.day < date.fromisoformat(lower):
        return False
    return not (upper and item.day > date.fromisoformat(upper))


def with_groups(
    items: list[Any], params: dict[str, Any], figure: Callable[[list[Any]], dict[str, Any]]
) -> dict[str, Any]:
    body = figure(items)
    group = params.get("group_by")
    if group:
        groups: dict[Any, list[Any]] = defaultdict(list)
        for item in items:
            groups[key_of(item, group)].append(item)
        body["groups"] = [
            {"key": k, **figure(v)}
            for k, v in sorted(groups.items(), key=lambda kv: (kv[0] is None, str(kv[0])))
        ]
    return body


def rows(
    items: list[Any], group: str, count: Callable[[list[Any]], int], by_count: bool
) -> list[dict[str, Any]]:
    groups: dict[Any, list[Any]] = defaultdict(list)
    for item in items:
        groups[key_of(item, group)].append(item)
    result = [{"key": k, "count": count(v)} for k, v in groups.items()]
    if by_count:
        return sorted(result, key=lambda r: (-r["count"], str(r["key"])))
    return sorted(result, key=lambda r: (r["key"] is None, str(r["key"])))


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
