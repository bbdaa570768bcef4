"""Tidsåtgång of a synthetic month computed straight from its views, in plain Python (part of
:mod:`tests.stats_expected`, which never imports ``services.stats``).

docs/figures.md, "Tidsåtgång": an answered call's talk, wrap-up and (with both) talk + wrap-up; a
case's time from its first take-up to its first manual reply, untimed when the reply came at or
before the take-up; each time rounded to the whole second, half up; nearest-rank percentiles of the
times to two significant figures (the mean and total exact).
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from tests.stats_figures_plain import key_of
from tests.stats_views import CallView, CaseView

CALL_GROUPINGS = ("day", "week", "month", "tertial", "organization", "answer_group")


def rounded(seconds: float) -> int:
    return math.floor(seconds + 0.5)


def nearest(values: list[int], q: int) -> int | None:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(len(ordered) * q / 100)) - 1] if ordered else None


def two_figures(seconds: int) -> int:
    """Two significant figures, half up: 7 234 → 7 200, 12 500 → 13 000; under 100 as it is."""
    if seconds < 100:
        return seconds
    step = 10 ** (len(str(seconds)) - 2)
    return (seconds + step // 2) // step * step


def spread(values: list[int]) -> dict[str, Any]:
    ranked = [two_figures(v) for v in values]
    return {
        "count": len(values),
        "total_seconds": float(sum(values)),
        "mean_seconds": round(sum(values) / len(values), 1) if values else None,
        "median_seconds": None if not values else float(nearest(ranked, 50)),  # type: ignore[arg-type]
        "p90_seconds": None if not values else float(nearest(ranked, 90)),  # type: ignore[arg-type]
    }


def minutes(values: list[int]) -> dict[str, Any]:
    def of(seconds: float | None) -> float | None:
        return None if seconds is None else round(seconds / 60, 1)

    ranked = [two_figures(v) for v in values]
    return {
        "count": len(values),
        "mean_minutes": of(sum(values) / len(values)) if values else None,
        "median_minutes": of(nearest(ranked, 50)),
        "p90_minutes": of(nearest(ranked, 90)),
        "total_minutes": of(sum(values)),
    }


def call_times(calls: list[CallView]) -> dict[str, list[int]]:
    answered = [c for c in calls if c.outcome == "answered"]
    talks = {id(c): rounded(c.talk) for c in answered if c.talk is not None}
    wraps = {id(c): rounded(c.wrap_up) for c in answered if c.wrap_up is not None}
    return {
        "talk": list(talks.values()),
        "wrap_up": list(wraps.values()),
        "handling": [talks[k] + wraps[k] for k in talks if k in wraps],
    }


def case_times(cases: list[CaseView]) -> tuple[dict[str, list[int]], int]:
    times: dict[str, list[int]] = {"handling": [], "first_line": [], "department": []}
    untimed = 0
    for case in cases:
        if case.first_reply is None:
            continue
        if case.opened_at is None or case.first_reply <= case.opened_at:
            untimed += 1
            continue
        seconds = rounded((case.first_reply - case.opened_at).total_seconds())
        times["handling"].append(seconds)
        department = case.handled_by == "department" or (
            case.first_handoff is not None and case.first_handoff < case.first_reply
        )
        times["department" if department else "first_line"].append(seconds)
    return times, untimed


def calls_time(calls: list[CallView]) -> dict[str, Any]:
    times = call_times(calls)
    return {"count": sum(c.outcome == "answered" for c in calls), **{k: spread(v) for k, v in times.items()}}


def written_time(cases: list[CaseView]) -> dict[str, Any]:
    times, untimed = case_times(cases)
    return {
        "count": len(times["handling"]),
        "untimed": untimed,
        **{k: spread(v) for k, v in times.items()},
    }


def time_spent(calls: list[CallView], cases: list[CaseView], group: str | None) -> dict[str, Any]:
    """What ``GET /v1/stats/time-spent`` answers (a supervisor's view)."""
    body: dict[str, Any] = {"calls": calls_time(calls), "written": written_time(cases)}
    if group:
        by_calls: dict[Any, list[CallView]] = defaultdict(list)
        if group in CALL_GROUPINGS:
            for call in calls:
                by_calls[key_of(call, group)].append(call)
        by_cases: dict[Any, list[CaseView]] = defaultdict(list)
        for case in cases:
            by_cases[key_of(case, group)].append(case)
        keys = sorted(set(by_calls) | set(by_cases), key=lambda k: (k is None, str(k)))
        body["groups"] = [
            {
                "key": k,
                "calls": calls_time(by_calls.get(k, [])) if group in CALL_GROUPINGS else None,
                "written": written_time(by_cases.get(k, [])),
            }
            for k in keys
        ]
    return body


def report_calls(calls: list[CallView]) -> dict[str, Any]:
    return {k: minutes(v) for k, v in call_times(calls).items()}


def report_written(cases: list[CaseView]) -> dict[str, Any]:
    times, untimed = case_times(cases)
    return {"untimed": untimed, **{k: minutes(v) for k, v in times.items()}}


def report_time_spent(calls: list[CallView], cases: list[CaseView]) -> dict[str, Any]:
    groups = sorted({c.answer_group for c in calls})
    return {
        "calls": report_calls(calls),
        "written": report_written(cases),
        "groups": [
            {"key": g, "calls": report_calls([c for c in calls if c.answer_group == g])} for g in groups
        ],
    }
