"""Tidsåtgång (time spent): talk, wrap-up and handling time of calls; handling time of written errands.

Calls (per answer group): an answered call's **talk** is its ``call.ended`` ``talk_seconds``; its
**wrap-up** (*efterarbete*) the latest ``call.wrapped_up``'s ``wrap_up_seconds``; its **handling**
talk + wrap-up, for calls with both. Only calls answered in the queue count (the answer rate's
answered calls): a call the IVR put through, or one abandoned, took no agent's time.

Written errands (cases): **handling** is from the first take-up (the first assignment to someone, or
the first move to open) to the first manual reply. A case replied to at or before its take-up (the
reply itself opened it, or a department replied to a case nobody took up) has no start and counts
as *untimed*; a merged duplicate does not count (its errand is handled on the case it was merged
into). Each case counts under first line or department by who replied first: department when it was
routed straight to one or its first reply came after its first handoff.

Every time is rounded to the whole second (half up) and counted exactly (count and sum: the mean and
total are exact), and kept in a histogram to two significant figures (:func:`two_figures`: 7 234 s
counts as 7 200 s; under 100 s exact) for the median and 90th percentile, which are then within 5 %
(docs/figures.md): a written errand's time can be anything from seconds to weeks and a month has a
talk time per call, so a tertial report adds a few hundred values per cell, not one per case or call.
No agent is named in the tally: per-agent figures read the state documents.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from services.stats.facts import CallFacts, CaseFacts
from services.stats.tally import Tally, nearest_rank

TALK = "talk_seconds"
WRAP_UP = "wrap_up_seconds"
CALL_HANDLING = "call_handling_seconds"
WRITTEN = "written_handling_seconds"  # the two below together: first line and department
WRITTEN_BY = {
    "first_line": "written_handling_seconds.first_line",
    "department": "written_handling_seconds.department",
}
UNTIMED = "written_untimed"


def whole_seconds(seconds: float) -> float:
    return float(math.floor(seconds + 0.5))


def call_time_tally(call: CallFacts, tally: Tally) -> None:
    """An answered call's talk, wrap-up and handling (the caller counts only answered calls)."""
    talk = None if call.talk_seconds is None else whole_seconds(call.talk_seconds)
    wrap_up = None if call.wrap_up_seconds is None else whole_seconds(call.wrap_up_seconds)
    if talk is not None:
        keep_time(tally, TALK, talk)
    if wrap_up is not None:
        keep_time(tally, WRAP_UP, wrap_up)
    if talk is not None and wrap_up is not None:
        keep_time(tally, CALL_HANDLING, talk + wrap_up)


def keep_time(tally: Tally, name: str, seconds: float) -> None:
    """One time: exactly in the count and sum, to two significant figures in the histogram."""
    tally.observe(name, two_figures(seconds))
    tally.count(name + ":n")
    tally.count(name + ":sum", int(seconds))


def two_figures(seconds: float) -> float:
    """``seconds`` to two significant figures (half up); under 100 s, as it is."""
    if seconds < 100:
        return seconds
    step = 10 ** (len(str(int(seconds))) - 2)
    return float(math.floor(seconds / step + 0.5) * step)


def case_time_tally(case: CaseFacts, tally: Tally) -> None:
    """A replied case's handling time, or *untimed*."""
    if case.merged_into is not None or case.first_reply_at is None:
        return
    if case.opened_at is None or case.first_reply_at <= case.opened_at:
        tally.count(UNTIMED)
        return
    seconds = whole_seconds((case.first_reply_at - case.opened_at).total_seconds())
    handed = case.first_handoff_at
    by_department = case.handled_by == "department" or (handed is not None and handed < case.first_reply_at)
    keep_time(tally, WRITTEN_BY["department" if by_department else "first_line"], seconds)


def spread(hist: Counter[float], *, count: int | None = None, total: float | None = None) -> dict[str, Any]:
    """Count, total, mean (to a tenth of a second), median and 90th percentile (nearest rank); the
    count and total from the histogram unless given exactly."""
    count = sum(hist.values()) if count is None else count
    total = sum(value * n for value, n in hist.items()) if total is None else total
    return {
        "count": count,
        "total_seconds": total,
        "mean_seconds": round(total / count, 1) if count else None,
        "median_seconds": nearest_rank(hist, 50),
        "p90_seconds": nearest_rank(hist, 90),
    }


def binned_spread(tally: Tally, *names: str) -> dict[str, Any]:
    """The times of ``names`` together: exact count and total, percentiles to two significant figures."""
    hist: Counter[float] = tally.hist(names[0]) if len(names) == 1 else Counter()
    if len(names) > 1:
        for name in names:
            hist.update(tally.hist(name))
    count = sum(tally.counts[name + ":n"] for name in names)
    total = sum(tally.counts[name + ":sum"] for name in names)
    return spread(hist, count=count, total=float(total))


def calls_time(tally: Tally) -> dict[str, Any]:
    return {
        "count": tally.counts["answered"],
        "talk": binned_spread(tally, TALK),
        "wrap_up": binned_spread(tally, WRAP_UP),
        "handling": binned_spread(tally, CALL_HANDLING),
    }


def written_time(tally: Tally) -> dict[str, Any]:
    return {
        "count": sum(tally.counts[name + ":n"] for name in WRITTEN_BY.values()),
        "untimed": tally.counts[UNTIMED],
        "handling": binned_spread(tally, *WRITTEN_BY.values()),
        **{who: binned_spread(tally, name) for who, name in WRITTEN_BY.items()},
    }


def in_minutes(figure: dict[str, Any]) -> dict[str, Any]:
    """A :func:`spread` in minutes (each to a tenth), as the tertial report gives it."""

    def minutes(seconds: float | None) -> float | None:
        return None if seconds is None else round(seconds / 60, 1)

    count, total = figure["count"], figure["total_seconds"]
    return {
        "count": count,
        "mean_minutes": minutes(total / count) if count else None,
        "median_minutes": minutes(figure["median_seconds"]),
        "p90_minutes": minutes(figure["p90_seconds"]),
        "total_minutes": minutes(total),
    }


def report_calls(tally: Tally) -> dict[str, Any]:
    body = calls_time(tally)
    return {name: in_minutes(body[name]) for name in ("talk", "wrap_up", "handling")}


def report_written(tally: Tally) -> dict[str, Any]:
    body = written_time(tally)
    return {
        "untimed": body["untimed"],
        **{name: in_minutes(body[name]) for name in ("handling", *WRITTEN_BY)},
    }


def report_time_spent(calls_total: Tally, by_group: dict[Any, Tally], cases: Tally) -> dict[str, Any]:
    """The tertial report's time spent of an organisation: calls in total and per answer group,
    written errands in total (each department's entry has its own :func:`report_written`)."""
    return {
        "calls": report_calls(calls_total),
        "written": report_written(cases),
        "groups": [
            {"key": key, "calls": report_calls(tally)}
            for key, tally in sorted(by_group.items(), key=lambda item: (item[0] is None, str(item[0])))
        ],
    }
