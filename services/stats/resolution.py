"""Lösningsgrad i första linjen (first-line resolution rate) and onödig efterfrågan (failure demand).

Over cases by the Stockholm day of ``received_at``:

- *resolved at first line*: resolved (``case.resolved``, the latest one by event time says
  ``resolved_by_first_line``) and never handed off;
- *handed off*: ever handed off to a department (``case.handed_off``, even if it came back and first
  line resolved it), or routed straight to a department (``handled_by: department``), or resolved
  with ``resolved_by_first_line: false`` (casestore's word is final);
- *pending*: neither yet. Rate = resolved at first line / (resolved at first line + handed off).

Failure-demand share = cases resolved with ``failure_demand: true`` (the latest resolution says so)
/ cases resolved. A reopened case keeps counting as resolved: it was.
"""

from __future__ import annotations

from typing import Any

from services.stats.facts import CaseFacts
from services.stats.figures import Target, met, ratio
from services.stats.tally import Tally


def resolution_tally(case: CaseFacts, tally: Tally) -> None:
    if case.resolved and case.resolved_by_first_line and not case.handed_off:
        tally.count("resolved_first_line")
    elif case.handed_off or case.resolved:
        tally.count("handed_off")
    else:
        tally.count("resolution_pending")
    if case.resolved:
        tally.count("resolved")
        if case.failure_demand:
            tally.count("failure_demand")


def resolution(tally: Tally, *, target: Target) -> dict[str, Any]:
    first_line = tally.counts["resolved_first_line"]
    handed_off = tally.counts["handed_off"]
    rate = ratio(first_line, first_line + handed_off)
    return {
        "resolved_first_line": first_line,
        "handed_off": handed_off,
        "pending": tally.counts["resolution_pending"],
        "rate": rate,
        "target": target,
        "met": met(rate, target),
    }


def failure_demand(tally: Tally) -> dict[str, Any]:
    resolved = tally.counts["resolved"]
    return {
        "resolved": resolved,
        "failure_demand": tally.counts["failure_demand"],
        "share": ratio(tally.counts["failure_demand"], resolved),
    }
