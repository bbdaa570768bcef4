"""Each figure of DESIGN §5 and docs/figures.md, in plain Python over :mod:`tests.stats_views`."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from tests.stats_generator import STHLM
from tests.stats_views import OPEN, QUESTIONS, TARGETS, CallView, CaseView, met, ratio, two_working_days

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
        "transferred": 0,  # the generated months connect no call (tests/unit/test_stats_transfers.py)
        "transferred_by_department": {},
        "service_level_target": TARGETS["service_level"],
        "service_level_met": met(ratio(within, len(answered) + abandoned), TARGETS["service_level"]),
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
    kinds = Counter(c.feedback_kind or "unclassified" for c in cases if c.synpunkt)
    by_kind = {k: kinds[k] for k in ("praise", "complaint", "suggestion", "question", "unclassified")}
    return {"count": len(refs), "by_kind": by_kind, "refs": refs}


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
