"""The queries a figures test asks, and how it compares the answers with the expectation."""

from __future__ import annotations

from typing import Any

import httpx

from tests.stats_expected import Expectation

PERIODS: list[dict[str, str]] = [
    {},
    {"from": "2026-03-01", "to": "2026-03-31"},  # a whole month: the month aggregate
    {"from": "2026-03-20", "to": "2026-04-02"},  # days only, across the DST change and into Easter week
    {"from": "2026-03-10", "to": "2026-04-30"},  # edge days + a whole month
]
GROUPINGS = (
    "day",
    "week",
    "month",
    "tertial",
    "organization",
    "answer_group",
    "department",
    "channel",
    "category",
)
CASE_GROUPINGS = (*GROUPINGS, "rosa_level", "handled_by")


def queries(
    organizations: tuple[str, ...], *, full: bool = True, skip_all_organizations: bool = False
) -> list[tuple[str, dict[str, Any]]]:
    """Every endpoint, organisation and grouping (``full``), or a cross-section of them. With
    ``skip_all_organizations`` every query names an organisation (a broker other tests share)."""
    result: list[tuple[str, dict[str, Any]]] = []
    for org in (None, *organizations):
        if (not full and org != organizations[0]) or (skip_all_organizations and org is None):
            continue
        for period in PERIODS:
            base: dict[str, Any] = {**period, **({"organization": org} if org else {})}
            result += [
                ("/v1/stats/answer-rate", base),
                ("/v1/stats/answer-rate", {**base, "group_by": "answer_group"}),
                ("/v1/stats/answer-rate", {**base, "short_abandon_seconds": 10, "service_level_seconds": 30}),
                ("/v1/stats/ivr-choices", base),
                ("/v1/stats/ivr-choices", {**base, "short_abandon_seconds": 10}),
                ("/v1/stats/email-response", {**base, "mode": "calendar"}),
                ("/v1/stats/email-response", {**base, "mode": "working_days"}),
                ("/v1/stats/resolution", base),
                ("/v1/stats/satisfaction", base),
                ("/v1/stats/backlog", base),
                ("/v1/stats/volumes", {**base, "group_by": "channel"}),
                ("/v1/stats/synpunkter", base),
                ("/v1/stats/category-handling", base),
                ("/v1/stats/time-spent", base),
            ]
        scope = {"organization": org} if org else {}
        if not full:
            result += [
                ("/v1/stats/email-response", {**scope, "group_by": "department", "mode": "working_days"}),
                ("/v1/stats/backlog", {**scope, "group_by": "day"}),
                ("/v1/stats/report", {**scope, "period": "2026-T1", "mode": "working_days"}),
            ]
            continue
        for group in GROUPINGS:
            for mode in ("calendar", "working_days"):
                result.append(("/v1/stats/email-response", {**scope, "group_by": group, "mode": mode}))
        for group in ("day", "week", "month", "tertial", "organization", "answer_group"):
            result.append(("/v1/stats/answer-rate", {**scope, "group_by": group}))
        for group in CASE_GROUPINGS:
            result += [
                ("/v1/stats/time-spent", {**scope, "group_by": group}),
                ("/v1/stats/resolution", {**scope, "group_by": group}),
                ("/v1/stats/satisfaction", {**scope, "group_by": group}),
                ("/v1/stats/backlog", {**scope, "group_by": group}),
                ("/v1/stats/volumes", {**scope, "group_by": group}),
            ]
        result += [
            ("/v1/stats/volumes", {**scope, "kind": "calls", "group_by": "answer_group"}),
            ("/v1/stats/volumes", {**scope, "kind": "calls", "group_by": "day"}),
            ("/v1/stats/volumes", {**scope, "kind": "outbound", "group_by": "channel"}),
            ("/v1/stats/category-handling", {**scope, "group_by": "month"}),
            ("/v1/stats/volumes/charging", {**scope, "month": "2026-03"}),
            ("/v1/stats/volumes/charging", {**scope, "month": "2026-04"}),
            ("/v1/stats/report", {**scope, "period": "2026-T1", "mode": "calendar"}),
            ("/v1/stats/report", {**scope, "period": "2026-T1", "mode": "working_days"}),
            ("/v1/stats/report", {**scope, "period": "2026-T2"}),
        ]
    return result


async def mismatches(
    client: httpx.AsyncClient,
    expectation: Expectation,
    organizations: tuple[str, ...],
    *,
    full: bool = True,
    skip_all_organizations: bool = False,
    stop_at: int = 5,
) -> list[str]:
    """The queries whose answer differs from the expectation (at most ``stop_at`` of them)."""
    wrong: list[str] = []
    for path, params in queries(organizations, full=full, skip_all_organizations=skip_all_organizations):
        response = await client.get(path, params=params)
        if response.status_code != 200:
            wrong.append(f"{path} {params}: HTTP {response.status_code} {response.text[:300]}")
        else:
            answer, expected = response.json(), expectation.response(path, params)
            if answer != expected:
                wrong.append(f"{path} {params}:\n  got      {_diff(answer, expected)}")
        if len(wrong) >= stop_at:
            break
    return wrong


def _diff(answer: Any, expected: Any, path: str = "") -> str:
    """The first place where two JSON values differ."""
    if isinstance(answer, dict) and isinstance(expected, dict):
        for key in sorted(set(answer) | set(expected), key=str):
            if answer.get(key, "<absent>") != expected.get(key, "<absent>"):
                return _diff(answer.get(key, "<absent>"), expected.get(key, "<absent>"), f"{path}.{key}")
    if isinstance(answer, list) and isinstance(expected, list):
        if len(answer) != len(expected):
            keys = [a.get("key") if isinstance(a, dict) else a for a in answer]
            wanted = [e.get("key") if isinstance(e, dict) else e for e in expected]
            return f"{path}: {len(answer)} items {keys[:12]}, expected {len(expected)} {wanted[:12]}"
        for i, (a, e) in enumerate(zip(answer, expected, strict=True)):
            if a != e:
                return _diff(a, e, f"{path}[{i}]")
    return f"{path}: {answer!r}\n  expected {expected!r}"
