"""Volymer (volumes), debitering per förvaltning (charging departments) and synpunkter.

- Cases by channel, department, category, organisation, ROSA level, answer group or handled_by, in
  the Stockholm day of ``received_at``; calls offered by answer group; outbound messages by channel
  and outcome (delivered, or failed and never delivered).
- Charging: first-line cases handled on behalf of each department in a month = cases received in the
  month, of that department (the category's department from routing, or from the latest correction
  of the category), resolved at first line (see :mod:`services.stats.resolution`). Cases not yet
  resolved are listed as ``pending``.
- Synpunkter (feedback): cases whose category is ``synpunkt`` (or whose web form was the synpunkt
  form), per department they concern and by kind, with their case references
  (:mod:`services.stats.feedback`).
"""

from __future__ import annotations

from typing import Any

from services.stats.facts import CaseFacts, OutboundFacts
from services.stats.feedback import SYNPUNKT as SYNPUNKT  # re-exported: the report counts it
from services.stats.feedback import Concerned, synpunkt_tally
from services.stats.tally import Tally


def volume_tally(case: CaseFacts, tally: Tally) -> None:
    tally.count("cases")
    synpunkt_tally(case, tally)


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


def synpunkter(tally: Tally, departments: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Count, kinds and references of the synpunkter in ``tally`` (concerning ``departments`` only)."""
    return Concerned(tally, departments).total()
