"""Volymer (volumes), debitering per förvaltning (charging departments) and synpunkter.

- Cases by channel, department, category, organisation, ROSA level, answer group or handled_by, in
  the Stockholm day of ``received_at``; calls offered by answer group; outbound messages by channel
  and outcome (delivered, or failed and never delivered).
- Charging: first-line cases handled on behalf of each department in a month = cases received in the
  month, of that department (the category's department from routing, or from the latest correction
  of the category), resolved at first line (see :mod:`services.stats.resolution`). Cases not yet
  resolved are listed as ``pending``.
- Synpunkter (feedback): cases whose category is ``synpunkt`` (or whose web form was the synpunkt
  form), per department, with their case references.
"""

from __future__ import annotations

from typing import Any

from services.stats.facts import CaseFacts, OutboundFacts
from services.stats.tally import Tally

SYNPUNKT = "synpunkter"


def volume_tally(case: CaseFacts, tally: Tally) -> None:
    tally.count("cases")
    if case.synpunkt:
        tally.count(SYNPUNKT)
        tally.ref(SYNPUNKT, case.ref)


def outbound_tally(message: OutboundFacts) -> Tally:
    tally = Tally()
    tally.count("delivered" if message.delivered else "failed")
    tally.count("messages")
    return tally


VOLUME_COUNT = {"cases": "cases", "calls": "offered", "outbound": "messages"}


def charging_rows(groups: dict[Any, Tally]) -> list[dict[str, Any]]:
    return [
        {
            "key": department,
            "count": tally.counts["resolved_first_line"],
            "pending": tally.counts["resolution_pending"],
        }
        for department, tally in groups.items()
    ]


def synpunkter(tally: Tally) -> dict[str, Any]:
    return {"count": tally.counts[SYNPUNKT], "refs": sorted(tally.refs.get(SYNPUNKT, []))}
