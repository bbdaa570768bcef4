"""cases.events → case facts (no personal data: references, categories, times, flags)."""

from __future__ import annotations

from typing import Any

from lotsen.contracts.cases import CaseCreated
from lotsen.contracts.envelope import Event
from services.stats.repository import StatsRepository


def make_handler(*, stats: StatsRepository):  # type: ignore[no-untyped-def]
    async def on_case_event(event: Event[Any]) -> None:
        if isinstance(event, CaseCreated):
            d = event.data
            await stats.record_case_created(
                {
                    "_id": d.case_ref,
                    "organization": event.organization,
                    "channel": d.channel,
                    "received_at": d.received_at,
                    "category": d.category,
                    "department": d.department,
                    "answer_group": d.answer_group,
                    "handled_by": d.handled_by,
                    "rosa_level": d.rosa_level,
                }
            )
        # Other case events feed figures that later parts of stats compute; they are acknowledged here.

    return on_case_event
